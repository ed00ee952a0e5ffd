"""The reviewer's editor's routes, through an ASGI test client: the token and origin guard, the
page, live checks, saves that land in the JSON form and the memory, 409 on a stale revision."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from bilingual.cli import cli
from bilingual.document import dump, load
from bilingual.editor.app import COOKIE, Settings, create_app
from bilingual.memory import Memory
from tests.sample_documents import HOSTILE_RENDERING, HOSTILE_TARGET, simplified_with_hostile_text

BASE = "http://127.0.0.1:8765"
TOKEN = "a-test-token-of-some-length"


def client(json_path: Path, memory: Path | None = None, *, signed_in: bool = True) -> TestClient:
    settings = Settings(json_path, TOKEN, memory_path=memory, use_memory=memory is not None)
    test_client = TestClient(create_app(settings), base_url=BASE)
    if signed_in:
        assert test_client.get(f"/?token={TOKEN}").status_code == 200
    return test_client


def test_the_token_sets_a_cookie_and_nothing_is_served_without_one(review_form: Path):
    guest = client(review_form, signed_in=False)
    for path in ("/", "/static/editor.js", "/?token=wrong"):
        response = guest.get(path)
        assert response.status_code == 403, path  # refused, not redirected
    assert guest.post("/api/check", json={"segment": "b3s1", "target": "x"}).status_code == 403

    response = guest.get(f"/?token={TOKEN}")
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert f"{COOKIE}={TOKEN}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    # from now on the cookie is enough
    assert guest.get("/").status_code == 200
    assert guest.get("/static/editor.js").status_code == 200


def test_another_sites_origin_or_another_host_is_refused(review_form: Path):
    signed_in = client(review_form)
    check = {"segment": "b3s1", "target": "Presidential Office"}
    refused = signed_in.post("/api/check", json=check, headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403
    assert signed_in.post("/api/check", json=check, headers={"Origin": "null"}).status_code == 403
    assert signed_in.post("/api/check", json=check, headers={"Origin": BASE}).status_code == 200
    rebound = signed_in.get("/", headers={"Host": "evil.example:8765"})  # DNS rebinding
    assert rebound.status_code == 403
    # a form post from a page cannot send JSON
    assert signed_in.post("/api/check", data={"segment": "b3s1"}).status_code == 400


def test_the_page_has_a_row_per_segment_with_its_editor_terms_and_findings(review_form: Path):
    html = client(review_form).get("/").text
    document = load(review_form)
    rows = re.findall(
        r'<article class="row[^"]*" id="[^"]+" data-segment="([^"]+)" data-status="([^"]+)"', html
    )
    assert [r[0] for r in rows] == [s.id for s in document.segments]
    assert {r[1] for r in rows} == {"machine"}
    assert html.count('<textarea lang="en"') == len(document.translatable_segments)
    assert '<mark class="term" title="Presidential Office">總統府</mark>' in html
    assert 'data-rendering="President Lai Ching-te"' in html
    assert "<kbd>Alt+1</kbd>" in html
    assert re.search(r'<strong id="left">\d+</strong> of <span id="total">\d+</span>', html)
    assert "Ctrl</kbd>+<kbd>Enter" in html  # the shortcuts are listed
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing from the network


def test_a_segment_flagged_since_review_stands_out(review_form: Path):
    from bilingual.review import SOURCE_CHANGED

    document = load(review_form)
    document.segment("b3s1").apply_human("Reviewed once.", {"source": "舊的句子"})
    document.segment("b3s1").flags.append(SOURCE_CHANGED)
    dump(document, review_form)
    html = client(review_form).get("/").text
    row = re.search(r'<article[^>]*data-segment="b3s1"[^>]*>', html).group()
    assert 'data-status="human"' in row and "data-flagged" in row
    assert f'<span class="flag">{SOURCE_CHANGED}</span>' in html
    assert len(re.findall(r"<article[^>]*data-flagged", html)) == 1


def test_checks_run_on_the_text_sent_and_clear_when_fixed(review_form: Path):
    signed_in = client(review_form)
    # 第6屆台美「經濟繁榮夥伴對話」（EPPD）上週在美國華府舉行: a 6 the English must keep
    right = "President Lai said the 6th EPPD was held in Washington, DC last week."
    wrong = right.replace("6th", "7th")
    found = signed_in.post("/api/check", json={"segment": "b4s1", "target": wrong}).json()
    assert {f["code"] for f in found["findings"]} >= {"number-missing", "number-extra"}
    fixed = signed_in.post("/api/check", json={"segment": "b4s1", "target": right}).json()
    assert fixed["findings"] == []
    # the same code as `bilingual check`: a missing rendering is its term finding
    missing = signed_in.post("/api/check", json={"segment": "b4s1", "target": "No terms, 6."})
    assert "term-missing" in {f["code"] for f in missing.json()["findings"]}
    assert signed_in.post("/api/check", json={"segment": "b99s1", "target": ""}).status_code == 404


def test_a_save_lands_in_the_json_form_and_the_memory(review_form: Path, tmp_path: Path):
    memory = tmp_path / "memory.sqlite"
    signed_in = client(review_form, memory)
    before = load(review_form).segment("b3s1")
    response = signed_in.post(
        "/api/save",
        json={
            "segment": "b3s1",
            "target": "  Reviewed   by a person. ",
            "revision": before.revision,
        },
    )
    assert response.status_code == 200, response.text
    state = response.json()["segment"]
    assert state["status"] == "human" and state["target"] == "Reviewed by a person."
    after = load(review_form).segment("b3s1")
    assert after.status == "human" and after.target == "Reviewed by a person."
    assert after.review["source"] == after.source and after.review["at"]
    assert state["revision"] == after.revision != before.revision
    with Memory(memory) as stored:
        edit = stored.lookup_human(after.source)
    assert edit is not None and edit.target == "Reviewed by a person."


def test_a_save_on_a_stale_revision_is_409_with_both_versions(review_form: Path):
    signed_in = client(review_form)
    stale = load(review_form).segment("b3s1").revision
    first = {"segment": "b3s1", "target": "The first tab's edit.", "revision": stale}
    assert signed_in.post("/api/save", json=first).status_code == 200
    on_disk = review_form.read_bytes()
    second = {"segment": "b3s1", "target": "The second tab's edit.", "revision": stale}
    response = signed_in.post("/api/save", json=second)
    assert response.status_code == 409
    body = response.json()
    assert body["current"]["target"] == "The first tab's edit."
    assert body["current"]["revision"] == load(review_form).segment("b3s1").revision
    assert body["yours"] == "The second tab's edit."
    assert review_form.read_bytes() == on_disk  # never written over
    # saved on the revision it now has, it goes through
    second["revision"] = body["current"]["revision"]
    assert signed_in.post("/api/save", json=second).status_code == 200
    assert load(review_form).segment("b3s1").target == "The second tab's edit."


def test_an_empty_save_is_refused_and_changes_nothing(review_form: Path):
    signed_in = client(review_form)
    before = review_form.read_bytes()
    revision = load(review_form).segment("b3s1").revision
    response = signed_in.post(
        "/api/save", json={"segment": "b3s1", "target": " ", "revision": revision}
    )
    assert response.status_code == 422 and "empty" in response.json()["error"]
    assert review_form.read_bytes() == before


def test_export_goes_through_the_export_code(review_form: Path):
    response = client(review_form).post("/api/export", json={"format": "docx"})
    assert response.status_code == 200, response.text
    assert response.json()["written"] == ["article.docx", "article.json"]
    assert review_form.with_suffix(".docx").stat().st_size > 0
    # the reader's edition, as `export --edition reader` writes it (the drafts said in a warning)
    response = client(review_form).post("/api/export", json={"format": "reader"})
    assert response.status_code == 200, response.text
    assert response.json()["written"] == ["article.docx", "article.html", "article.json"]
    assert "machine" in " ".join(response.json()["warnings"])
    from docx import Document as open_docx

    identifier = open_docx(str(review_form.with_suffix(".docx"))).core_properties.identifier
    assert identifier.startswith("bilingual-reader:")
    assert client(review_form).post("/api/export", json={"format": "exe"}).status_code == 422


def test_hostile_text_is_escaped_in_the_page(tmp_path: Path):
    path = dump(simplified_with_hostile_text(), tmp_path / "hostile.json")
    html = client(path).get("/").text
    assert "<script>window.pwned" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in html
    assert HOSTILE_TARGET not in html and HOSTILE_RENDERING not in html
    # a right-to-left override is shown as its code, not obeyed
    assert '<span class="control" title="an invisible control character">U+202E</span>' in html
    assert html.count("<script") == 1  # only the page's own editor.js


def test_a_busy_port_is_exit_2_with_one_line(review_form: Path):
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["review", str(review_form), "--no-open", "--port", str(port)]
        )
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and f"port {port} on 127.0.0.1 is in use" in result.output


def test_a_missing_or_invalid_json_form_is_a_one_line_input_error(tmp_path: Path):
    result = CliRunner().invoke(cli, ["review", str(tmp_path / "none.json"), "--no-open"])
    assert result.exit_code == 3 and "no such file" in result.output
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    result = CliRunner().invoke(cli, ["review", str(broken), "--no-open"])
    assert result.exit_code == 3 and "not valid JSON" in result.output


@pytest.mark.parametrize("host", ["0.0.0.0"])
def test_another_host_is_warned_about(review_form: Path, host: str):
    with socket.create_server(
        ("127.0.0.1", 0)
    ) as busy:  # busy: the command stops after the warning
        port = busy.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["review", str(review_form), "--no-open", "--host", host, "--port", str(port)]
        )
    assert "warning: listening on 0.0.0.0, not only on this machine" in result.output


def test_the_export_buttons_take_bilingual_toml_as_export_does(
    review_form: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from docx import Document as open_docx

    from bilingual.editor import server

    monkeypatch.chdir(tmp_path)
    (tmp_path / "bilingual.toml").write_text(
        'engine = "none"\nlayout = "interleaved"\n[export]\npaper = "letter"\n', encoding="utf-8"
    )  # engine is translate's: no typo for the editor either
    served: dict = {}
    monkeypatch.setattr(server, "serve", lambda json_path, **kwargs: served.update(kwargs))
    result = CliRunner().invoke(cli, ["review", str(review_form), "--no-open"])
    assert result.exit_code == 0, result.output
    options = served["export_options"]
    assert {e: (o.layout, o.paper, o.edition) for e, o in options.items()} == {
        "review": ("interleaved", "letter", "review"),
        "reader": ("interleaved", "letter", "reader"),
    }
    settings = Settings(review_form, TOKEN, use_memory=False, export_options=options)
    test_client = TestClient(create_app(settings), base_url=BASE)
    assert test_client.get(f"/?token={TOKEN}").status_code == 200
    assert test_client.post("/api/export", json={"format": "docx"}).status_code == 200
    written = open_docx(str(review_form.with_suffix(".docx")))
    assert written.tables == []  # interleaved: paragraphs, not the two-column table
    assert round(written.sections[0].page_width.inches, 1) == 8.5  # letter
    (tmp_path / "bilingual.toml").write_text('layout = "diagonal"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["review", str(review_form), "--no-open"])
    assert result.exit_code == 3 and "bilingual.toml" in result.output and "layout" in result.output
