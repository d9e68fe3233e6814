"""Each furniture rule on lines as other pages print them, and on lines it must spare."""

from __future__ import annotations

import pytest

from store.importing import furniture
from store.importing.pages import clean_text, page_lines, split_page


@pytest.mark.parametrize(
    "line,rule",
    [
        ("Share this article", "share widget"),
        ("Follow us on Telegram", "share widget"),
        ("12 Comments", "comments widget"),
        ("Leave a comment", "comments widget"),
        ("Tags:", "hashtags"),
        ("#Ukraine #NATO #Peace", "hashtag list"),
        ("Related Stories", "related header"),
        ("More from The Guardian", "related header"),
        ("You may also like", "related header"),
        ("Try our AI feature", "ai prompt"),
        ("See what NewsBot AI can do for you today", "ai prompt"),
        ("Sign up for our daily briefing newsletter", "newsletter prompt"),
        ("Newsletters", "newsletter prompt"),
        ("Continue readingShow more", "more link"),
        ("Read more", "related header"),
        ("Photo credit: Jane Doe", "photo credit"),
        ("Main image: a convoy near Kherson", "photo credit"),
        ("Jane Doe/AFP via Getty Images", "agency credit"),
        ("Sergei Ivanov/Reuters", "agency credit"),
        ("Soldiers rest near the front line in Donetsk, Ukraine, May 2, 2025. REUTERS/Jane Doe",
         "captioned agency credit"),
        ("Analysis | World", "breadcrumb"),
        ("© 2025 Example News Ltd", "copyright line"),
    ],
)
def test_furniture_lines_are_recognised(line, rule):
    matched = furniture.line_rule(line)
    assert matched is not None and matched.name == rule


@pytest.mark.parametrize(
    "line",
    [
        "Comments made by the minister were criticised on Monday.",
        "Share prices fell 3% in Moscow after the announcement.",
        "Related talks in Geneva ended without agreement.",
        "Newsletter writers have been covering the summit closely, she said.",
        "The photo, credited to a Ukrainian agency, showed the bridge.",
        "He said the AI can do for you what a clerk once did.",
        "Trump envoy reveals NATO troop deployment plans for Ukraine",
        "Why It Matters",
    ],
)
def test_article_lines_are_spared(line):
    assert furniture.line_rule(line) is None


def test_aggregator_headers_are_three_lines():
    lines = ["The Daily Star", "5 hours ago", "- The Daily Star", "A title", "Body."]
    assert furniture.aggregator_block_outlet(lines, 0) == "The Daily Star"
    no_age = ["The Daily Star", "Monday", "- The Daily Star"]
    assert furniture.aggregator_block_outlet(no_age, 0) is None


def test_byline_and_caption_at_the_start_of_a_flattened_body_are_removed():
    body = ("Ministers pose for a photo in Rome on Monday. By ANNA ROSSI and PAUL KIM "
            "Ministers agreed on Monday to meet again.")
    assert furniture.strip_edge_furniture(body, first=True, last=False) == (
        "Ministers agreed on Monday to meet again.")
    assert furniture.strip_edge_furniture(
        "By Maria Lopez In a short statement, the ministry said no.", first=True, last=False
    ) == "In a short statement, the ministry said no."


def test_trailing_copyright_is_removed_from_the_last_paragraph():
    assert furniture.strip_edge_furniture(
        "The talks will resume. © 2025 Example Wire. All rights reserved.", first=False, last=True
    ) == "The talks will resume."


@pytest.mark.parametrize(
    "text,outlet",
    [
        ("The Ledger has contacted the ministry for comment.", "The Ledger"),
        ("The embassy declined Daily Example's request for comment.", "Daily Example"),
        ("Jane Roe is a Example Review columnist covering trade.", "Example Review"),
        ("Officials told Reuters the talks had stalled.", ""),
    ],
)
def test_outlet_only_where_the_article_names_itself(text, outlet):
    assert furniture.outlet_from_text(text) == outlet


def test_a_page_with_teasers_splits_into_articles():
    page = "\n".join([
        "A headline about the summit talks",
        "The summit opened on Monday with a long statement from the hosts about the agenda.",
        "Delegates then met behind closed doors for several hours, officials said.",
        "Harbour strike",
        "Photo credit: Jane Doe",
        "Dock workers walk out over pay in three ports",
        "Economy",
        "Dock workers in three ports walked out on Tuesday in a dispute over pay and hours.",
        "Continue reading",
        "Latest",
        "Example Times",
    ])
    articles = split_page(page_lines(page))
    assert [a.title for a in articles] == [
        "A headline about the summit talks",
        "Dock workers walk out over pay in three ports",
    ]
    assert articles[1].text().startswith("Dock workers in three ports walked out")
    assert "Harbour strike" not in articles[0].text() and "Latest" not in articles[0].text()


def test_cleaning_removes_invisible_characters_and_keeps_joiners():
    raw = (
        "\ufeffLine one\r\nsoft\u00adhyphen zero\u200bwidth bell\x07 esc\x1b[0m\r\r\n\n\n"
        "family 👩\u200d👧 ن\u200cی e\u0301"
    )
    cleaned = clean_text(raw)
    assert cleaned == (
        "Line one\nsofthyphen zerowidth bell esc[0m\n\nfamily 👩\u200d👧 ن\u200cی e\u0301"
    )


def test_line_rule_names_the_first_rule_in_order_that_matches_the_line():
    """`line_rule` tries every rule in one pattern; it must answer as trying them one
    by one in order would, on every line of the bundled pages and on rule-like lines."""
    from store.corpus import bundled_seed_paths

    lines = [line for path in bundled_seed_paths()
             for line in clean_text(path.read_text(encoding="utf-8")).split("\n")]
    lines += ["Read more", "READ MORE:", "Share", "comments", "Tags", "© AP", "#a, #b",
              "Photo: Reuters/Jane Doe", "Sign up for the newsletter", "World | Europe"]
    assert len(lines) > 250
    for line in lines:
        text = line.strip()
        expected = next((rule for rule in furniture.LINE_RULES
                         if text and rule.pattern.match(text)), None)
        assert furniture.line_rule(line) is expected, line
