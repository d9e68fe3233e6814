"""Statements in scripts written without spaces (Japanese, Chinese, Thai) link like
statements in any other script: each of their characters is a word, so a sentence
is long enough to link and has bigrams to be found by. Latin text reads as before."""

from __future__ import annotations

import json

from click.testing import CliRunner

from store.matching.index import Index
from store.matching.linking import link_units
from store.matching.normalise import content_words, normalise, token_spans
from store.matching.units import Unit
from tui.cli.main import cli

PROMISE_JA = "首相は来年までに消費税を引き下げると約束した。"
PROMISE_TH = "นายกรัฐมนตรีสัญญาว่าจะลดภาษีการบริโภคภายในปีหน้า"


def article(doc: str, *sentences: str) -> list[Unit]:
    units, pos = [], 0
    for seq, sentence in enumerate(sentences):
        units.append(Unit(doc, pos, pos + len(sentence), sentence, seq=seq))
        pos += len(sentence)
    return units


def test_an_identical_japanese_sentence_in_two_imported_articles_is_linked_exact(tmp_path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text(f"東京で記者会見が開かれた。{PROMISE_JA}野党は発表を批判した。\n", "utf-8")
    b.write_text(f"経済市場は今朝下落した。{PROMISE_JA}専門家は慎重な見方を示した。\n", "utf-8")

    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, ["--db", str(tmp_path / "s.sqlite"), *args])
        assert result.exit_code == 0, result.output
        return result.output

    run("import", str(a), str(b))
    run("link", "--no-meaning")
    links = [json.loads(line) for line in run("links", "--format", "jsonl").splitlines()]
    assert len(links) == 1
    assert links[0]["method"] == "exact"
    for side in (links[0]["a"], links[0]["b"]):
        assert side["text"] == PROMISE_JA
        assert run("show", side["doc_id"])[side["start"] : side["end"]] == PROMISE_JA


def test_an_identical_thai_sentence_is_linked_exact():
    before_a, before_b = "ตลาดหุ้นร่วงลงอย่างหนักในเช้านี้", "ผู้เชี่ยวชาญแสดงความระมัดระวัง"
    units = article("a", before_a, PROMISE_TH, "ฝ่ายค้านวิจารณ์ประกาศนี้")
    units += article("b", before_b, PROMISE_TH, "ประชาชนยังไม่มั่นใจ")
    (match,) = link_units(units)
    assert match.method == "exact"
    sides = {(side.doc, side.start, side.end) for side in (match.a, match.b)}
    assert sides == {
        ("a", len(before_a), len(before_a) + len(PROMISE_TH)),
        ("b", len(before_b), len(before_b) + len(PROMISE_TH)),
    }


def test_a_near_identical_japanese_sentence_is_linked_and_a_different_one_is_not():
    one_word_changed = "首相は来年までに消費税を引き下げると明言した。"
    same_frame = "市長は来年までに住民税を引き下げないと述べた。"  # another statement
    units = article("a", "東京で記者会見が開かれた。", PROMISE_JA)
    units += article("b", "経済市場は今朝大きく下落した。", one_word_changed)
    units += article("c", "大阪の気温は今日大きく下降した。", same_frame)
    matches = link_units(units)
    assert [sorted((m.a.doc, m.b.doc)) for m in matches] == [["a", "b"]]
    assert matches[0].score >= 90


def test_latin_text_reads_as_before():
    text = "The Minister’s plan — “cut taxes” by 2025, she said!"
    assert normalise(text) == "the minister s plan cut taxes by 2025 she said"
    assert [text[s:e] for s, e in token_spans(text)][:4] == ["The", "Minister", "s", "plan"]


def test_each_character_of_a_script_without_spaces_is_a_word_at_its_own_offset():
    text = "iPhone15を発表。"
    assert normalise(text) == "iphone15 を 発 表"
    assert [text[s:e] for s, e in token_spans(text)] == ["iPhone15", "を", "発", "表"]
    # Content: pairs of adjacent characters, not single ones every sentence shares.
    assert content_words("消費税を") == {"消費", "費税", "税を"}


def test_the_passage_index_reads_the_same_words_as_the_units():
    units = article("a", "東京で会見。", PROMISE_JA) + article("b", "Prices rose again today.", "x")
    index = Index.build(units)
    passages = index.passages()
    for d, name in enumerate(passages.names):
        text = {u.start: u.text for u in units if u.doc == name}
        tokens = passages.tokens(d).tolist()
        words = [w for u in units if u.doc == name for w in normalise(u.text).split(" ") if w]
        assert len(tokens) == len(words)
        joined = "".join(text.values())
        assert [joined[s:e].lower() for s, e in tokens] == words
