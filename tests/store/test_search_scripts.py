"""Search in every script: a word from the middle of a run of Japanese, Chinese or
Thai is found (trigram index), Korean without its particles, Arabic and Hebrew with
or without vowel marks as typed, emoji; and the query is folded exactly as the index
folds text, so kana keep their voicing marks."""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from store import delete_annotation, open_store, update_annotation
from store.search import search, search_articles
from store.search.query import words_of
from tests.exchange_data import add_doc, tag
from tui.cli.main import cli

JAPANESE = "首相は記者会見で、来年までに消費税を引き下げると約束した。野党は財源を問うた。"
CHINESE = "国务院总理在记者会上表示，明年将降低增值税税率。"
KOREAN = "정부는 내년에 부가가치세를 인하하겠다고 밝혔다."
THAI = "รัฐบาลประกาศลดภาษีมูลค่าเพิ่มในปีหน้า"
ARABIC = "قال رئيس الوزراء إن الحكومة ستخفض الضريبة العام المقبل."
ARABIC_VOWELLED = "كَتَبَ الوَلَدُ الدَّرْسَ"
HEBREW = "ראש הממשלה אמר שהממשלה תוריד את המס בשנה הבאה."
HEBREW_POINTED = "שָׁלוֹם עֲלֵיכֶם"
EMOJI = "Fans celebrated the win 🎉🏆 all night in the square."


@pytest.fixture
def scripts(store):
    texts = {
        "ja": (JAPANESE, "来年までに消費税を引き下げると約束した", "NHK"),
        "zh": (CHINESE, "明年将降低增值税税率", "Xinhua"),
        "ko": (KOREAN, "부가가치세를 인하하겠다고", "Yonhap"),
        "th": (THAI, THAI, "Thai PBS"),
        "ar": (ARABIC, "ستخفض الضريبة العام المقبل", "Al Jazeera"),
        "ar2": (ARABIC_VOWELLED, ARABIC_VOWELLED, "Lesson"),
        "he": (HEBREW, "תוריד את המס", "Haaretz"),
        "he2": (HEBREW_POINTED, HEBREW_POINTED, "Greeting"),
        "emoji": (EMOJI, "celebrated the win 🎉🏆", "Sport"),
    }
    out = {}
    for key, (text, quote, outlet) in texts.items():
        doc = add_doc(store, text, title=f"{outlet} report", source=outlet)
        out[key] = tag(store, doc, quote, "claim")
    return out


def statements(store, query: str) -> list[str]:
    return [group.statement for group in search(store, query)]


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("消費税を引き下げる", "ja"),  # the query: mid-run, voiced kana
        ("引き下げ", "ja"),
        ("消費", "ja"),  # two characters: shorter than a trigram
        ("增值税", "zh"),
        ("降低", "zh"),
        ("부가가치세", "ko"),  # the word without its particle 를
        ("인하", "ko"),
        ("ภาษีมูลค่าเพิ่ม", "th"),  # no spaces, vowel marks inside
        ("الضريبة", "ar"),
        ("كَتَبَ", "ar2"),  # with its vowel marks, as written
        ("המס", "he"),
        ("שָׁלוֹם", "he2"),
        ("🎉", "emoji"),
        ("celebrated 🏆", "emoji"),
    ],
)
def test_a_word_in_any_script_finds_its_statement(store, scripts, query, key):
    wanted = store.annotation(scripts[key].id).text
    assert statements(store, query) == [wanted]


def test_text_in_other_scripts_is_not_found_by_a_word_it_does_not_hold(store, scripts):
    assert statements(store, "消費税を上げる") == []
    assert statements(store, "增值税 NHK") == []
    assert statements(store, "降低 消費") == []


def test_an_edited_or_deleted_annotation_leaves_the_trigram_index(store, scripts):
    annotation = scripts["ja"]
    update_annotation(store, annotation.id, note="減税の公約")
    assert statements(store, "減税の公約") == [annotation.text]
    update_annotation(store, annotation.id, note="")
    assert statements(store, "減税の公約") == []
    delete_annotation(store, annotation.id)
    assert statements(store, "消費税を引き下げる") == []
    # The external-content index still agrees with its table.
    store.db.execute(
        "INSERT INTO annotations_trigram(annotations_trigram) VALUES ('integrity-check')"
    )


def test_only_text_in_those_scripts_is_in_the_trigram_index(store, scripts):
    add_doc(store, "Plain English with an accent: café.", title="English", source="Wire")
    assert statements(store, "消費税") != []  # a search in those scripts catches up
    assert store.db.execute("SELECT count(*) FROM trigram_pending").fetchone() == (0,)
    indexed = store.db.execute("SELECT count(*) FROM documents_trigram_docsize").fetchone()[0]
    # Arabic and Hebrew are spaced: the word index serves them.
    assert indexed == len(scripts) - 4


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("消費税を引き下げる", JAPANESE),
        ("消費", JAPANESE),
        ("增值税税率", CHINESE),
        ("부가가치세", KOREAN),
        ("ภาษีมูลค่าเพิ่ม", THAI),
        ("الضريبة", ARABIC),
        ("המס", HEBREW),
        ("🏆", EMOJI),
    ],
)
def test_articles_are_found_in_any_script_with_the_match_placed(store, scripts, query, text):
    [found] = search_articles(store, query)
    article = store.document(found.doc_id).text
    assert article == text
    assert article[found.start : found.end] == found.match
    assert found.match.replace(" ", "") == query.replace(" ", "")


def test_words_are_folded_as_the_index_folds_them():
    """The query's words are the tokens FTS5 makes of the same text."""
    samples = [
        JAPANESE, "ガソリン税が下がる", ARABIC_VOWELLED, HEBREW_POINTED, THAI,
        "Café crème, naïve Ångström, İstanbul, Straße, Øresund, Łódź",
        "Tiếng Việt có dấu", "Ελληνικά άλφα", "Cafe\u0301 e\u0301te\u0301", EMOJI,
    ]
    with contextlib.closing(sqlite3.connect(":memory:")) as conn:
        conn.execute(
            "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 2')"
        )
        conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
        for text in samples:
            conn.execute("DELETE FROM t")
            conn.execute("INSERT INTO t VALUES (?)", [text])
            tokens = [r[0] for r in conn.execute("SELECT term FROM v ORDER BY offset")]
            assert words_of(text) == tokens, text


def test_the_command_line_searches_statements_and_articles_in_any_script(tmp_path):
    path = tmp_path / "s.db"
    with open_store(path) as store:
        doc = add_doc(store, JAPANESE, title="消費税", source="NHK")
        tag(store, doc, "来年までに消費税を引き下げると約束した", "quote", speaker="首相")
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(path), "search", "--json", "消費税を引き下げる"])
    assert result.exit_code == 0, result.output
    [group] = [json.loads(line) for line in result.stdout.splitlines()]
    assert group["statement"] == "来年までに消費税を引き下げると約束した"
    result = runner.invoke(
        cli, ["--db", str(path), "search", "--articles", "--json", "引き下げる"]
    )
    assert result.exit_code == 0, result.output
    [article] = [json.loads(line) for line in result.stdout.splitlines()]
    assert JAPANESE[article["start"] : article["end"]] == "引き下げる"


def test_an_article_imported_before_the_upgrade_is_found_inside_a_run(tmp_path):
    """Migration m009 indexes the rows already there, not only new ones."""
    old = Path(__file__).resolve().parents[1] / "fixtures" / "old_databases"
    path = tmp_path / "old.db"
    shutil.copyfile(old / "v8-15ca9e7.sidenote-db", path)
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(
            "INSERT INTO documents (id, title, source, text, sha256, imported_at) "
            "VALUES ('ja1', 'NHK', 'NHK', ?, '', '2025-01-01T00:00:00+00:00')",
            [JAPANESE],
        )
    with open_store(path) as store:
        [found] = search_articles(store, "消費税を引き下げる")
        assert JAPANESE[found.start : found.end] == "消費税を引き下げる"
