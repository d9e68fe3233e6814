"""Search: any string is safe, typos are forgiven, results come grouped by statement."""

from __future__ import annotations

import pytest

from store import InputError, delete_annotation
from store.search import parse_query, refresh_vocabulary, search, search_articles
from tests.exchange_data import ENVOY, MULTISCRIPT, POST, add_doc, link, tag

THIRD = (
    "Europe weighs a post-ceasefire force\n"
    "A post-cease fire resiliency force in support of Ukraine's sovereignty is under discussion.\n"
    "Ministers and officials will meet again in June."
)


@pytest.fixture
def corpus(store):
    envoy = add_doc(store, ENVOY, title="Trump envoy reveals NATO troop plans", source="RT")
    post = add_doc(store, POST, title="Kellogg clarifies remarks", source="Newsweek")
    third = add_doc(store, THIRD, title="Europe weighs a force", source="Reuters")
    multi = add_doc(store, MULTISCRIPT, title="Multi", source="Wire")
    said = tag(store, envoy, "'resiliency force.'", "quote", speaker="Keith Kellogg")
    wrote = tag(
        store,
        post,
        "post-cease fire resiliency force in support of Ukraine's sovereignty",
        "quote",
        note="his clarification on X",
    )
    sentence = THIRD.index("A post-cease")
    link(store, said, wrote, status="confirmed", cluster="s-force")
    link(
        store,
        wrote,
        (third, sentence, THIRD.index(" is under")),
        status="suggested",
        cluster="s-force",
    )
    warned = tag(store, envoy, "Russia has repeatedly warned", "claim")
    tag(store, multi, "北京欢迎你", "claim")
    tag(store, multi, "Cafe\u0301 owners shrugged", "claim", note="AND (yes) NEAR the café")
    return {"envoy": envoy, "post": post, "third": third, "multi": multi, "warned": warned}


def test_a_typo_finds_the_resiliency_force_statement_grouped_with_every_outlet(store, corpus):
    groups = search(store, "resilency force")
    assert len(groups) == 1
    [group] = groups
    assert group.fuzzy and "resiliency" in group.query
    assert group.cluster == "s-force"
    outlets = {a.source: a.status for a in group.appearances}
    assert outlets == {"RT": "confirmed", "Newsweek": "confirmed", "Reuters": "suggested"}
    reuters = next(a for a in group.appearances if a.source == "Reuters")
    assert reuters.label is None and reuters.annotation_id is None
    assert THIRD[reuters.start : reuters.end] == reuters.text
    assert group.appearances[0].matched


def test_exact_words_find_without_fallback(store, corpus):
    [group] = search(store, "resiliency force")
    assert not group.fuzzy and len(group.appearances) == 3


def test_note_and_speaker_are_searched(store, corpus):
    assert [g.cluster for g in search(store, "clarification")] == ["s-force"]
    assert [g.cluster for g in search(store, "Keith")] == ["s-force"]


def test_a_linked_statement_nobody_annotated_is_found(store, corpus):
    other = add_doc(
        store, "Diplomats say: Ministers and officials will meet again in June.", source="AP"
    )
    sentence = THIRD.index("Ministers")
    echo = "Diplomats say: ".__len__()
    link(
        store,
        (corpus["third"], sentence, len(THIRD)),
        (other, echo, echo + len(THIRD) - sentence),
        status="suggested",
        cluster="s-june",
    )
    [group] = search(store, "ministers meet")
    assert group.cluster == "s-june" and group.statement == THIRD[sentence:]
    assert {(a.source, a.label, a.status) for a in group.appearances} == {
        ("Reuters", None, "suggested"),
        ("AP", None, "suggested"),
    }


def test_phrases_keep_their_order_and_prefixes_work(store, corpus):
    assert search(store, '"repeatedly warned"')
    assert all(g.fuzzy for g in search(store, '"warned repeatedly"'))
    assert [g.appearances[0].text for g in search(store, "repeat*")] == [
        "Russia has repeatedly warned"
    ]


@pytest.mark.parametrize(
    "hostile",
    [
        "",
        " ",
        '"',
        '""',
        '"""',
        "AND",
        "OR",
        "NOT",
        "NEAR(",
        "(",
        ")",
        "()",
        "*",
        "**",
        "-",
        "^",
        "text:force",
        "force AND",
        "AND force",
        "(force",
        'force"',
        "'",
        "\x00",
        "\x1b[31mred",
        "🙂",
        "a" * 5000,
        "resiliency " * 100,
        "NEAR(resiliency force, 2)",
        "{col1 col2}: x",
        "%",
        "_",
        "\\",
        "';DROP TABLE annotations;--",
        "f*rce",
        "*force",
        "force*",
    ],
)
def test_any_string_is_accepted(store, corpus, hostile):
    groups = search(store, hostile)
    assert isinstance(groups, list)
    assert store.annotation_count() == 5


def test_operators_are_plain_words(store, corpus):
    [group] = search(store, "AND (yes) NEAR")
    assert group.appearances[0].text == "Cafe\u0301 owners shrugged"
    assert search(store, "") == [] and search(store, "((( )))") == []


def test_non_latin_scripts_and_accents(store, corpus):
    assert [g.statement for g in search(store, "北京")] == ["北京欢迎你"]
    assert [g.statement for g in search(store, "café owners")] == ["Cafe\u0301 owners shrugged"]


def test_parse_query_quotes_every_term():
    terms = parse_query('say "resiliency force" AND nato* (x)')
    assert [t.fts() for t in terms] == ['"say"', '"resiliency force"', '"and"', '"nato"*', '"x"']


def test_filters_label_source_and_linked(store, corpus):
    assert search(store, "Russia", label="quote") == []
    assert [g.statement for g in search(store, "Russia", label="claim")] == [
        "Russia has repeatedly warned"
    ]
    assert search(store, "resiliency", source="reuters")[0].cluster == "s-force"
    assert search(store, "Russia", source="Newsweek") == []
    assert search(store, "Russia", linked=True) == []
    assert search(store, "resiliency", linked=True)[0].cluster == "s-force"
    with pytest.raises(InputError, match="unknown label"):
        search(store, "x", label="opinion")


def test_unlinked_annotations_are_their_own_groups(store, corpus):
    [group] = search(store, "repeatedly")
    assert group.key == corpus["warned"].id and group.cluster is None
    assert [a.status for a in group.appearances] == ["annotated"]


def test_rejected_links_do_not_group(store, corpus):
    other = add_doc(store, "Russia has repeatedly warned about troops, it said.", source="TASS")
    mirror = tag(store, other, "Russia has repeatedly warned", "claim")
    link(store, corpus["warned"], mirror, status="rejected", cluster="s-no")
    groups = search(store, "repeatedly warned")
    assert len(groups) == 2 and all(len(g.appearances) == 1 for g in groups)


def test_the_vocabulary_follows_new_and_deleted_annotations(store, corpus):
    assert search(store, "legitmate") == []
    new = tag(store, corpus["envoy"], "legitimate targets", "claim")
    assert [g.statement for g in search(store, "legitmate")] == ["legitimate targets"]
    delete_annotation(store, new.id)
    assert search(store, "legitmate") == []
    assert refresh_vocabulary(store) == 0


def test_a_relaxed_search_finds_a_statement_with_one_word_missing(store, corpus):
    [group] = search(store, "Russia repeatedly warned NATO")
    assert group.fuzzy and group.statement == "Russia has repeatedly warned"


def test_as_you_type_matches_the_word_being_typed(store, corpus):
    assert search(store, "Kell") == [] or all(g.fuzzy for g in search(store, "Kell"))
    typed = search(store, "Kell", as_you_type=True)
    assert typed and not typed[0].fuzzy and typed[0].cluster == "s-force"
    assert search(store, "resiliency", as_you_type=True)[0].cluster == "s-force"
    assert (
        search(store, "Russia rep", as_you_type=True)[0].statement == "Russia has repeatedly warned"
    )


def test_the_same_words_annotated_in_two_outlets_are_one_statement_before_linking(store, corpus):
    other = add_doc(store, "Officials said Russia has repeatedly warned the West.", source="AP")
    mirror = tag(store, other, "Russia has repeatedly warned", "claim")
    [group] = search(store, "repeatedly warned")
    assert group.cluster is None and group.key in {corpus["warned"].id, mirror.id}
    assert sorted(a.source for a in group.appearances) == ["AP", "RT"]
    assert {a.status for a in group.appearances} == {"annotated"}


def test_warm_up_catches_the_vocabulary_up(store, corpus):
    from store.search import warm_up

    tag(store, corpus["envoy"], "legitimate targets", "claim")
    warm_up(store)
    assert (
        store.db.execute("SELECT count(*) FROM search_vocab WHERE word = 'legitimate'").fetchone()[
            0
        ]
        == 1
    )


def test_the_vocabulary_in_memory_belongs_to_its_store(store, corpus):
    """Two stores never share a loaded vocabulary: a typo corrected in one database
    is corrected from that database's words."""
    from store import open_store
    from store.search import warm_up

    other = open_store()
    doc = add_doc(other, "The ambassador spoke of a parallel government.", source="AP")
    tag(other, doc, "parallel government", "claim")
    warm_up(store)
    warm_up(other)
    assert search(other, "paralel government")[0].statement == "parallel government"
    assert search(store, "resilency force")[0].cluster == "s-force"
    assert search(other, "resilency force") == []


def test_articles_are_searched_in_their_whole_text_with_the_match_placed(store, corpus):
    """Words nobody annotated are found in the articles, at exact offsets; stemming,
    accents and phrases work as for statements."""
    [match] = search_articles(store, "legitimate targets")
    assert match.doc_id == corpus["envoy"] and match.source == "RT"
    assert ENVOY[match.start : match.end] == match.match == "legitimate targets"
    assert ENVOY[: match.start].endswith(match.before)
    assert ENVOY[match.end :].startswith(match.after)
    [stemmed] = search_articles(store, "comments Kremlin")  # "comment" in the text
    assert stemmed.doc_id == corpus["post"] and POST[stemmed.start : stemmed.end] in (
        "Kremlin",
        "comment",
    )
    [accent] = search_articles(store, "cafe")
    assert MULTISCRIPT[accent.start : accent.end] == "Cafe\u0301"
    assert [m.doc_id for m in search_articles(store, '"resiliency force"', source="reuters")] == [
        corpus["third"]
    ]


def test_an_article_found_by_its_title_opens_at_its_beginning(store, corpus):
    add_doc(store, "Nothing about it here.", title="Zanzibar notes", source="AP")
    [match] = search_articles(store, "zanzibar")
    assert match.start is None and match.match == "" and match.after.startswith("Nothing")


@pytest.mark.parametrize("hostile", ['"', "AND", "NEAR(", "(((", "*", "\x1b[31m", "col:x", ""])
def test_any_string_is_accepted_by_the_articles_search(store, corpus, hostile):
    assert isinstance(search_articles(store, hostile), list)
