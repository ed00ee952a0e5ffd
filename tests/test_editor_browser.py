"""The reviewer's editor in a real Chromium, served by a real `bilingual review` process on
loopback: typing, live findings, renderings by key, confirm and move on, reload, a concurrent
import, stale files, hostile text. Screenshots stay in the test's tmp folder for a person."""

from __future__ import annotations

import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bilingual.document import dump, load
from tests.conftest import run_bilingual
from tests.sample_documents import simplified_with_hostile_text
from tests.test_importers import edit_xliff
from tests.test_render import OVERFLOW_JS

pytestmark = pytest.mark.slow

RIGHT = "President Lai said the 6th EPPD was held in Washington, DC last week."


@pytest.fixture
def serve(sandbox_env: dict[str, str], tmp_path: Path) -> Iterator:
    """Start `bilingual review PATH --no-open --port 0`; the URL it prints. Stopped at the end."""
    processes: list[subprocess.Popen[str]] = []

    def start(path: Path) -> str:
        command = [sys.executable, "-m", "bilingual", "review", str(path), "--no-open"]
        command += ["--port", "0", "--memory", str(tmp_path / "memory.sqlite")]
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=sandbox_env
        )
        processes.append(process)
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "bilingual review printed no URL within 60 s"
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and "/?token=" in url, url
        return url

    yield start
    for process in processes:  # Ctrl-C, as a person stops it: a clean stop, exit 0
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)  # and its pipes closed
        assert process.returncode == 0, err
        assert "editor stopped" in err


def row(page, segment_id: str):
    return page.locator(f'[data-segment="{segment_id}"]')


def editor(page, segment_id: str):
    return row(page, segment_id).locator('[lang="en"]').first


def focused_segment(page) -> str | None:
    return page.evaluate(
        "() => document.activeElement.closest('[data-segment]')?.dataset.segment ?? null"
    )


def test_a_reviewer_works_with_the_keyboard_and_nothing_is_lost(
    browser, serve, review_form: Path, sandbox_env: dict[str, str], tmp_path: Path
):
    # a DOCX and an XLIFF exported before any review: stale once the review begins
    exported = run_bilingual(
        ["export", str(review_form), "--format", "docx,xliff"], env=sandbox_env
    )
    assert exported.returncode == 0, exported.stderr
    stale_docx, stale_xliff = review_form.with_suffix(".docx"), review_form.with_suffix(".xlf")
    url = serve(review_form)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    assert page.locator("[data-segment]").count() == len(load(review_form).segments)

    # type with a wrong number: its finding appears; corrected: it clears
    b4s1 = editor(page, "b4s1")
    b4s1.focus()
    page.keyboard.press("Control+a")
    page.keyboard.type(RIGHT.replace("6th", "7th"))
    missing = row(page, "b4s1").locator('[data-finding="number-missing"]')
    missing.wait_for(state="visible", timeout=10_000)
    assert "6" in missing.text_content()
    page.keyboard.press("Control+a")
    page.keyboard.type("President Lai said the 6th EPPD was held in ")
    # insert a rendering by its key (Alt+n for the row's nth rendering)
    renderings = row(page, "b4s1").locator("button.rendering")
    texts = [renderings.nth(i).get_attribute("data-rendering") for i in range(renderings.count())]
    page.keyboard.press(f"Alt+{texts.index('Washington, DC') + 1}")
    page.keyboard.type(" last week.")
    assert b4s1.input_value() == RIGHT
    page.wait_for_function(
        """() => !document.querySelector('[data-segment="b4s1"] [data-finding^="number"]')""",
        timeout=10_000,
    )

    # Ctrl+Enter: saved as human, the focus moves to the next segment to do
    page.keyboard.press("Control+Enter")
    page.wait_for_selector('[data-segment="b4s1"][data-status="human"]', timeout=10_000)
    assert focused_segment(page) == "b4s2"
    # Alt+Up / Alt+Down move between rows; Ctrl+Shift+S copies the Chinese; Esc undoes
    page.keyboard.press("Alt+ArrowUp")
    assert focused_segment(page) == "b4s1"
    page.keyboard.press("Alt+ArrowDown")
    assert focused_segment(page) == "b4s2"
    b4s2 = editor(page, "b4s2")
    draft = b4s2.input_value()
    page.keyboard.press("Control+Shift+S")
    assert b4s2.input_value() == load(review_form).segment("b4s2").source
    page.keyboard.press("Escape")
    assert b4s2.input_value() == draft

    # reload: the edit is there, and the JSON form on disk has it as human
    page.reload()
    assert editor(page, "b4s1").input_value() == RIGHT
    assert row(page, "b4s1").get_attribute("data-status") == "human"
    saved = load(review_form).segment("b4s1")
    assert (saved.status, saved.target) == ("human", RIGHT)
    assert saved.review and saved.review["source"] == saved.source

    # an edit not yet confirmed survives a reload (kept in the browser)
    editor(page, "b5s1").fill("An edit not confirmed yet.")
    page.wait_for_timeout(300)
    page.reload()
    assert editor(page, "b5s1").input_value() == "An edit not confirmed yet."
    assert row(page, "b5s1").get_attribute("data-unsaved") == ""

    # an import in another process while the page is open, then a save on the same segment
    editor(page, "b4s2").fill("The reviewer's edit in the browser.")
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    exported = run_bilingual(
        ["export", str(review_form), "-o", str(fresh), "--format", "xliff"], env=sandbox_env
    )
    assert exported.returncode == 0, exported.stderr
    edit_xliff(fresh / "article.xlf", {"b4s2": "An edit imported from a CAT tool."})
    imported = run_bilingual(
        ["import", str(fresh / "article.xlf"), "--into", str(review_form), "--no-memory"],
        env=sandbox_env,
    )
    assert imported.returncode == 0, imported.stderr
    editor(page, "b4s2").focus()
    page.keyboard.press("Control+Enter")
    conflict = row(page, "b4s2").locator(".conflict")
    conflict.wait_for(state="visible", timeout=10_000)
    shown = conflict.text_content()
    assert (
        "An edit imported from a CAT tool." in shown
        and "The reviewer's edit in the browser." in shown
    )
    assert editor(page, "b4s2").input_value() == "The reviewer's edit in the browser."  # not lost
    assert load(review_form).segment("b4s2").target == "An edit imported from a CAT tool."
    page.screenshot(path=str(tmp_path / "editor-conflict-1280.png"))
    conflict.get_by_role("button", name="Save mine over it").click()
    page.wait_for_selector('[data-segment="b4s2"]:not([data-conflict])', timeout=10_000)
    assert load(review_form).segment("b4s2").target == "The reviewer's edit in the browser."

    # the DOCX and XLIFF exported before all this: imported now, they change nothing
    before = review_form.read_bytes()
    for stale in (stale_docx, stale_xliff):
        result = run_bilingual(["import", str(stale), "--no-memory"], env=sandbox_env)
        assert result.returncode == 0, result.stderr
        assert "older than the JSON form (skipped)" in result.stdout
        assert review_form.read_bytes() == before

    # the counter, the filter and the search
    left = int(page.locator("#left").text_content())
    assert left == sum(1 for s in load(review_form).translatable_segments if s.status != "human")
    page.locator('input[name="filter"][value="todo"]').check()
    assert row(page, "b4s1").is_hidden() and row(page, "b5s1").is_visible()
    page.locator('input[name="filter"][value="all"]').check()
    page.locator("#search").fill("華府")
    assert row(page, "b4s1").is_visible() and row(page, "b5s1").is_hidden()
    page.locator("#search").fill("")

    page.screenshot(path=str(tmp_path / "editor-1280.png"))
    page.set_viewport_size({"width": 375, "height": 800})
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scroll"] <= overflow["width"], overflow["wide"]
    zh, en = row(page, "b4s1").locator(".zh").bounding_box(), b4s1.bounding_box()
    assert en["y"] >= zh["y"] + zh["height"] - 1  # stacked: the English below the Chinese
    page.screenshot(path=str(tmp_path / "editor-375.png"))

    origin = url.split("/?")[0]
    assert all(r.startswith(origin) or r.startswith("data:") for r in requests), requests
    assert errors == []
    context.close()


def test_hostile_text_is_shown_as_text_and_never_run(browser, serve, tmp_path: Path):
    path = dump(simplified_with_hostile_text(), tmp_path / "hostile.json")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(serve(path))
    assert page.evaluate("() => window.pwned") is None
    assert page.locator("main img").count() == 0 and page.locator("main script").count() == 0
    assert "<script>window.pwned = 1</script>" in editor(page, "b2s2").input_value()
    assert 'onerror="window.pwned = 3"' in row(page, "b2s2").locator(".zh").text_content()
    assert "用于U+202E改善" in row(page, "b2s1").locator(".zh").text_content()
    # a hostile rendering inserted by key goes in as text, and its findings come back as text
    editor(page, "b2s1").focus()
    page.keyboard.press("End")
    page.keyboard.press("Alt+3")  # State Council, the State Council, then the hostile one
    assert editor(page, "b2s1").input_value().endswith('"><img src=x onerror="window.pwned = 2">')
    page.wait_for_timeout(800)
    assert page.evaluate("() => window.pwned") is None
    assert page.locator("main img").count() == 0
    page.close()


def test_the_whole_article_is_reviewed_with_ctrl_enter_alone(browser, serve, review_form: Path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(serve(review_form))
    total = int(page.locator("#total").text_content())
    page.keyboard.press("Tab")  # from the page to the first control, then into the rows
    editor(page, load(review_form).translatable_segments[0].id).focus()
    for left in range(total - 1, -1, -1):
        page.keyboard.press("Control+Enter")
        page.wait_for_function(f"() => document.querySelector('#left').textContent === '{left}'")
    assert page.locator('[data-segment][data-status="human"]').count() == total
    reviewed = [s for s in load(review_form).translatable_segments if s.status == "human"]
    assert len(reviewed) == total
    assert "every segment shown is reviewed" in page.locator("#message").text_content()
    page.close()
