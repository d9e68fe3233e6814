"""Sentence boundaries around the abbreviations news text is full of."""

from store.importing.sentences import split_sentences


def pieces(text):
    return [text[a:b] for a, b in split_sentences(text)]


def test_abbreviations_stay_inside_sentences():
    text = ("U.S. officials met Lt. Gen. Keith Kellogg in Washington, D.C. on Friday. "
            "Mr. Smith left at 5 p.m. yesterday. Then what?")
    assert pieces(text) == [
        "U.S. officials met Lt. Gen. Keith Kellogg in Washington, D.C. on Friday.",
        "Mr. Smith left at 5 p.m. yesterday.",
        "Then what?",
    ]


def test_closing_quote_stays_with_its_sentence():
    text = "He said: ‘I cannot see that happening without the British.’ The MoD declined."
    assert pieces(text) == [
        "He said: ‘I cannot see that happening without the British.’",
        "The MoD declined.",
    ]


def test_a_sentence_never_crosses_a_line_break():
    text = "Why It Matters\nOn Friday, envoys met. They talked."
    assert pieces(text) == ["Why It Matters", "On Friday, envoys met.", "They talked."]


def test_offsets_are_code_points_after_wide_characters():
    text = "👩‍👩‍👧 family first. 中文句子。 Then more."
    for start, end in split_sentences(text):
        assert text[start:end] == text[start:end].strip()
    assert pieces(text)[-1].endswith("Then more.")


def test_a_stray_closing_quote_goes_back_to_its_sentence():
    text = ("She said 'we welcome President Trump's willingness to help. The coalition is "
            "ready to do its share.' Von der Leyen was joined Sunday by others.")
    result = pieces(text)
    assert result[-1] == "Von der Leyen was joined Sunday by others."
    assert result[-2].endswith("ready to do its share.'")
