"""import-annotations: an id in a file never overwrites someone else's annotation.

Ids from other tools ("1", "a7") are opaque strings and collide easily. A record
whose id is already taken by an annotation on another article, or on other words,
is a conflict: the whole file is refused with the line and the id, unless
`new_ids` gives such records fresh ids (and the links in the file follow them).
Our own export, re-imported after a label, note or speaker edit, still updates,
and re-importing it unchanged changes nothing.
"""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner

from store import InputError, open_store, update_annotation
from store.exchange.formats import export_to_stream
from store.exchange.read import import_annotations
from store.importing.ingest import import_paths
from store.review import resolve_review
from tests.exchange_data import ENVOY, POST, add_doc, link, tag
from tui.cli.main import cli


def write(path, records) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")


def export_jsonl(store) -> list[dict]:
    out = io.StringIO()
    export_to_stream(store, "jsonl", out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def record(doc_id: str, text: str, quote: str, **fields) -> dict:
    start = text.index(quote)
    return {"doc_id": doc_id, "label": "claim", "start": start, "end": start + len(quote),
            "text": quote} | fields  # fmt: skip


def state(store) -> tuple:
    """Everything an import may change, to compare before and after a refusal."""
    return tuple(
        store.db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
        for table in ("annotations", "links", "review", "events", "history")
    )


@pytest.fixture
def two(store):
    envoy = add_doc(store, ENVOY, title="Envoy", url="https://example.org/envoy")
    post = add_doc(store, POST, title="Post", url="https://example.org/post")
    return store, envoy, post


def test_a_second_file_reusing_an_id_on_another_article_is_refused(two, tmp_path):
    store, envoy, post = two
    write(tmp_path / "first.jsonl", [record(envoy, ENVOY, "Kellogg", id="1")])
    write(tmp_path / "second.jsonl", [record(post, POST, "The Kremlin", id="1")])
    assert import_annotations(store, tmp_path / "first.jsonl").added == ["1"]
    before = state(store)
    with pytest.raises(InputError) as caught:
        import_annotations(store, tmp_path / "second.jsonl")
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'second.jsonl'}:1: ") and "'1'" in message
    assert "\n" not in message and "--new-ids" in message
    assert state(store) == before
    assert store.annotation("1").doc_id == envoy and store.annotation("1").text == "Kellogg"


def test_a_newer_record_never_moves_an_annotation_to_another_article(two, tmp_path):
    store, envoy, post = two
    mine = tag(store, envoy, "'resiliency force.'")
    theirs = tag(store, post, "resiliency force in support")
    link(store, mine, theirs, status="confirmed", cluster="s1")
    foreign = record(post, POST, "The Kremlin", id=mine.id, updated="2999-01-01T00:00:00.000Z")
    write(tmp_path / "foreign.jsonl", [foreign])
    before = state(store)
    with pytest.raises(InputError, match=r"foreign\.jsonl:1: .*already"):
        import_annotations(store, tmp_path / "foreign.jsonl")
    assert state(store) == before
    kept = store.annotation(mine.id)
    assert (kept.doc_id, kept.text) == (envoy, "'resiliency force.'")
    sides = store.db.execute("SELECT a_annotation_id, b_annotation_id FROM links").fetchall()
    assert sides and set(sides[0]) == {mine.id, theirs.id}


def test_the_same_id_on_other_words_of_the_same_article_is_a_conflict(two, tmp_path):
    store, envoy, _ = two
    write(tmp_path / "a.jsonl", [record(envoy, ENVOY, "Kellogg", id="a7")])
    import_annotations(store, tmp_path / "a.jsonl")
    newer = "2999-01-01T00:00:00.000Z"
    write(tmp_path / "b.jsonl", [record(envoy, ENVOY, "Fox Business", id="a7", updated=newer)])
    with pytest.raises(InputError, match=r"b\.jsonl:1: .*'a7'"):
        import_annotations(store, tmp_path / "b.jsonl")
    assert store.annotation("a7").text == "Kellogg"


def test_a_later_conflict_refuses_the_whole_file(two, tmp_path):
    store, envoy, post = two
    write(tmp_path / "a.jsonl", [record(envoy, ENVOY, "Kellogg", id="1")])
    import_annotations(store, tmp_path / "a.jsonl")
    fine = record(post, POST, "The Kremlin", id="2")
    clash = record(post, POST, "Kellogg wrote", id="1")
    write(tmp_path / "b.jsonl", [fine, clash])
    before = state(store)
    with pytest.raises(InputError, match=r"b\.jsonl:2: "):
        import_annotations(store, tmp_path / "b.jsonl")
    assert state(store) == before


def test_an_id_waiting_in_the_review_list_is_not_taken_silently(two, tmp_path):
    store, envoy, post = two
    # An annotation for an older Envoy whose quote is gone: it waits for review.
    gone = record(envoy, ENVOY, "Kellogg", id="1", url="https://example.org/envoy")
    gone |= {"doc_id": "ffffffffffffffff", "text": "Qqqqqqq"}
    write(tmp_path / "old.jsonl", [gone])
    assert import_annotations(store, tmp_path / "old.jsonl").review == ["1"]
    write(tmp_path / "other.jsonl", [record(post, POST, "The Kremlin", id="1")])
    with pytest.raises(InputError, match=r"other\.jsonl:1: .*'1'"):
        import_annotations(store, tmp_path / "other.jsonl")
    assert store.annotation_count() == 0


def test_foreign_ids_are_opaque_strings(two, tmp_path):
    store, envoy, post = two
    write(tmp_path / "a.jsonl", [record(envoy, ENVOY, "Kellogg", id="1")])
    import_annotations(store, tmp_path / "a.jsonl")
    lookalikes = ["01", "1 ", "١", "urn:sidenote:annotation:1"]
    # Each on its own words: one id per span (the same words twice are one annotation).
    quotes = ["The Kremlin", "Kellogg wrote", "Ukraine", "the plan"]
    write(
        tmp_path / "b.jsonl",
        [record(post, POST, q, id=i) for i, q in zip(lookalikes, quotes, strict=True)],
    )
    assert import_annotations(store, tmp_path / "b.jsonl").added == lookalikes
    assert store.annotation("1").doc_id == envoy
    assert {store.annotation(i).doc_id for i in lookalikes} == {post}


# -- our own export still updates and stays idempotent --------------------------


def test_our_export_updates_label_note_and_speaker_and_twice_is_unchanged(two, tmp_path):
    store, envoy, post = two
    tag(store, envoy, "'resiliency force.'", speaker="Kellogg")
    tag(store, post, "The Kremlin", "claim")
    original = export_jsonl(store)
    with open_store(":memory:") as other:
        add_doc(other, ENVOY, title="Envoy", url="https://example.org/envoy")
        add_doc(other, POST, title="Post", url="https://example.org/post")
        write(tmp_path / "out.jsonl", original)
        import_annotations(other, tmp_path / "out.jsonl")
        for r in original:
            update_annotation(other, r["id"], label="proposal", note="edited", speaker="Someone")
        edited = export_jsonl(other)
    write(tmp_path / "edited.jsonl", edited)
    report = import_annotations(store, tmp_path / "edited.jsonl")
    assert sorted(report.updated) == sorted(r["id"] for r in original)
    for r in original:
        now = store.annotation(r["id"])
        assert (now.label.value, now.note, now.speaker) == ("proposal", "edited", "Someone")
        assert (now.doc_id, now.start, now.end, now.text) == (
            r["doc_id"], r["start"], r["end"], r["text"]
        )  # fmt: skip
    again = import_annotations(store, tmp_path / "edited.jsonl")
    assert len(again.unchanged) == 2 and not again.updated and not again.added


def test_an_old_export_after_the_article_changed_is_not_a_conflict(store, tmp_path):
    path = tmp_path / "envoy.jsonl"
    write(path, [{"text": ENVOY, "title": "Envoy", "url": "https://example.org/envoy"}])
    old_id = import_paths(store, [path]).documents[0].id
    mine = tag(store, old_id, "'resiliency force.'")
    write(tmp_path / "old.jsonl", export_jsonl(store))
    edited = ENVOY.replace("\n", "\nEditor's note: updated on Wednesday.\n", 1)
    write(path, [{"text": edited, "title": "Envoy", "url": "https://example.org/envoy"}])
    new_id = import_paths(store, [path]).documents[0].id
    assert store.annotation(mine.id).doc_id == new_id
    report = import_annotations(store, tmp_path / "old.jsonl")
    assert report.kept_newer == [mine.id]
    assert store.annotation(mine.id).doc_id == new_id


def test_an_edit_on_another_version_of_the_article_updates(store, tmp_path):
    """Machine A annotates version 1; here only version 2 exists, so the first import
    re-anchored the annotation. A's later note edit still reaches it."""
    v1 = add_doc(store, ENVOY, title="Envoy", url="https://example.org/envoy")
    mine = tag(store, v1, "'resiliency force.'")
    first = export_jsonl(store)
    second = [first[0] | {"note": "checked", "updated": "2999-01-01T00:00:00.000Z"}]
    with open_store(":memory:") as here:
        add_doc(here, "Editor's note: updated.\n" + ENVOY, title="Envoy",
                url="https://example.org/envoy")  # fmt: skip
        write(tmp_path / "first.jsonl", first)
        assert import_annotations(here, tmp_path / "first.jsonl").reanchored == [mine.id]
        write(tmp_path / "second.jsonl", second)
        assert import_annotations(here, tmp_path / "second.jsonl").updated == [mine.id]
        assert here.annotation(mine.id).note == "checked"


def test_reimporting_after_placing_a_review_item_by_hand_is_not_a_conflict(two, tmp_path):
    store, envoy, _ = two
    gone = record(envoy, ENVOY, "Kellogg", id="1", url="https://example.org/envoy")
    gone |= {"doc_id": "ffffffffffffffff", "text": "Qqqqqqq"}
    write(tmp_path / "old.jsonl", [gone])
    assert import_annotations(store, tmp_path / "old.jsonl").review == ["1"]
    start = ENVOY.index("Fox Business")
    resolve_review(store, "1", accept=True, start=start, end=start + len("Fox Business"))
    assert import_annotations(store, tmp_path / "old.jsonl").unchanged == ["1"]
    assert store.annotation("1").text == "Fox Business"


# -- new_ids --------------------------------------------------------------------


def test_new_ids_imports_conflicts_under_fresh_ids_and_links_follow(two, tmp_path):
    store, envoy, post = two
    write(tmp_path / "a.jsonl", [record(envoy, ENVOY, "Kellogg", id="1")])
    import_annotations(store, tmp_path / "a.jsonl")
    other = record(envoy, ENVOY, "Fox Business", id="2")
    clash = record(post, POST, "Kellogg wrote", id="1", links=[
        {"annotation_id": "2", "doc_id": envoy, "score": 91.0, "status": "confirmed"}])  # fmt: skip
    other["links"] = [{"annotation_id": "1", "doc_id": post, "score": 91.0, "status": "confirmed"}]
    write(tmp_path / "b.jsonl", [other, clash])
    report = import_annotations(store, tmp_path / "b.jsonl", new_ids=True)
    fresh = report.new_ids["1"]
    assert list(report.new_ids) == ["1"] and fresh != "1"
    assert sorted(report.added) == sorted(["2", fresh])
    assert store.annotation("1").doc_id == envoy and store.annotation("1").text == "Kellogg"
    assert (store.annotation(fresh).doc_id, store.annotation(fresh).text) == (post, "Kellogg wrote")
    sides = store.db.execute("SELECT a_annotation_id, b_annotation_id FROM links").fetchall()
    assert [set(s) for s in sides] == [{"2", fresh}]


def test_a_link_id_naming_someone_elses_link_does_not_touch_it(two, tmp_path):
    store, envoy, post = two
    a = tag(store, envoy, "Kellogg")
    b = tag(store, post, "The Kremlin")
    theirs = link(store, a, b, status="suggested")
    x = record(envoy, ENVOY, "Fox Business", id="x")
    y = record(post, POST, "Kellogg wrote", id="y")
    x["links"] = [{"link_id": theirs, "annotation_id": "y", "doc_id": post, "score": 90.0,
                   "status": "rejected"}]  # fmt: skip
    write(tmp_path / "f.jsonl", [x, y])
    import_annotations(store, tmp_path / "f.jsonl")
    rows = dict(store.db.execute("SELECT id, status FROM links").fetchall())
    assert rows[theirs] == "suggested" and len(rows) == 2


def test_the_command_refuses_then_prints_the_mapping_with_new_ids(two, tmp_path):
    store, envoy, post = two
    write(tmp_path / "a.jsonl", [record(envoy, ENVOY, "Kellogg", id="1")])
    import_annotations(store, tmp_path / "a.jsonl")
    db = tmp_path / "cli.db"
    with open_store(db) as target:
        store.db.conn.backup(target.db.conn)
    path = tmp_path / "b.jsonl"
    write(path, [record(post, POST, "The Kremlin", id="1")])

    def run(*args: str):
        return CliRunner().invoke(cli, ["--db", str(db), "import-annotations", str(path), *args])

    refused = run()
    assert refused.exit_code == 1 and refused.stderr.count("\n") == 1
    assert refused.stderr.startswith(f"sidenote: {path}:1: ") and "--new-ids" in refused.stderr
    shown = run("--new-ids")
    assert shown.exit_code == 0, shown.output
    assert "1 given a new id" in shown.stdout and "1 → " in shown.stdout
    write(path, [record(post, POST, "Kellogg wrote", id="1")])
    as_json = json.loads(run("--new-ids", "--json").stdout)
    assert as_json["added"] == 1 and list(as_json["new_ids"]) == ["1"]
    with open_store(db) as after:
        fresh = as_json["new_ids"]["1"]
        assert after.annotation(fresh).text == "Kellogg wrote"
        assert after.annotation("1").text == "Kellogg"
