// The reviewer's editor. Every check runs on the server (the same code as `bilingual check`);
// this file only moves text, focus and rows. All text from the document is set with
// textContent or .value, never parsed as HTML.
(() => {
  "use strict";

  const DEBOUNCE = 250; // ms after the last keystroke before the row is checked
  const documentKey = document.body.dataset.document;
  const rows = () => [...document.querySelectorAll(".row[data-segment]")];
  const editable = () => rows().filter((row) => editorOf(row));
  const editorOf = (row) => row.querySelector('textarea[lang="en"]');
  const rowOf = (element) => element && element.closest(".row[data-segment]");
  const storageKey = (row) => `bilingual-review:${documentKey}:${row.dataset.segment}`;
  const message = document.getElementById("message");

  function say(text) {
    message.textContent = text;
  }

  async function post(path, body) {
    let response;
    try {
      response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        credentials: "same-origin",
        body: JSON.stringify(body),
      });
    } catch (error) {
      return { status: 0, data: { error: "the editor's server is not running (your edit is kept in this browser)" } };
    }
    let data = {};
    try {
      data = await response.json();
    } catch (error) {
      data = { error: `${response.status} ${response.statusText}` };
    }
    return { status: response.status, data };
  }

  // --- findings, status, counter ---------------------------------------------------------

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function showFindings(row, findings) {
    const list = row.querySelector(".findings");
    list.replaceChildren(
      ...findings.map((finding) => {
        const item = element("li", finding.message, finding.severity);
        item.dataset.finding = finding.code;
        return item;
      })
    );
    row.toggleAttribute("data-has-findings", findings.length > 0);
  }

  function showFlags(row, flags) {
    const status = row.querySelector(".status");
    status.replaceChildren(element("span", undefined, "badge"), ...flags.map((flag) => element("span", flag, "flag")));
    row.toggleAttribute("data-flagged", flags.length > 0);
  }

  function updateCounter() {
    const left = editable().filter((row) => row.dataset.status !== "human").length;
    document.getElementById("left").textContent = String(left);
  }

  // A segment as the server has it now (after a save, or in a conflict).
  function applyState(row, state) {
    const editor = editorOf(row);
    row.dataset.status = state.status;
    row.dataset.revision = state.revision;
    editor.value = state.target;
    editor.defaultValue = state.target;
    showFlags(row, state.flags || []);
    if (state.findings) showFindings(row, state.findings);
    forget(row);
    hideConflict(row);
    updateCounter();
  }

  // --- unsaved edits stay in the browser until saved --------------------------------------

  function keep(row) {
    const draft = { target: editorOf(row).value, revision: row.dataset.revision };
    try {
      localStorage.setItem(storageKey(row), JSON.stringify(draft));
    } catch (error) {
      say("this browser does not keep unsaved edits (storage full or blocked): save often");
    }
    row.setAttribute("data-unsaved", "");
  }

  function forget(row) {
    try {
      localStorage.removeItem(storageKey(row));
    } catch (error) {
      /* nothing kept, nothing to remove */
    }
    row.removeAttribute("data-unsaved");
  }

  function restoreDrafts() {
    for (const row of editable()) {
      let draft = null;
      try {
        draft = JSON.parse(localStorage.getItem(storageKey(row)) || "null");
      } catch (error) {
        draft = null;
      }
      if (!draft || typeof draft.target !== "string") continue;
      const editor = editorOf(row);
      if (draft.target === editor.value) {
        forget(row);
      } else if (draft.revision === row.dataset.revision) {
        editor.value = draft.target;
        row.setAttribute("data-unsaved", "");
        check(row);
      } else {
        // saved elsewhere since this edit was kept: both versions, the reviewer chooses
        const current = { target: editor.value, status: row.dataset.status, revision: row.dataset.revision };
        row.setAttribute("data-unsaved", "");
        showConflict(row, current, draft.target);
      }
    }
  }

  // --- checks as the reviewer types ------------------------------------------------------

  const timers = new WeakMap();
  const sequence = new WeakMap();

  async function check(row) {
    const number = (sequence.get(row) || 0) + 1;
    sequence.set(row, number);
    const { status, data } = await post("/api/check", { segment: row.dataset.segment, target: editorOf(row).value });
    if (status === 200 && sequence.get(row) === number) showFindings(row, data.findings);
  }

  function edited(row) {
    keep(row);
    clearTimeout(timers.get(row));
    timers.set(row, setTimeout(() => check(row), DEBOUNCE));
  }

  // --- saving ------------------------------------------------------------------------------

  async function confirmRow(row) {
    const editor = editorOf(row);
    const mine = editor.value;
    const { status, data } = await post("/api/save", { segment: row.dataset.segment, target: mine, revision: row.dataset.revision });
    if (status === 200) {
      applyState(row, data.segment);
      say(`${row.dataset.segment} saved as reviewed`);
      return true;
    }
    if (status === 409) {
      showConflict(row, data.current, mine);
      say(`${row.dataset.segment}: changed elsewhere since you began; choose a version`);
      return false;
    }
    say(data.error || `not saved (${status})`);
    return false;
  }

  function hideConflict(row) {
    const box = row.querySelector(".conflict");
    box.hidden = true;
    box.replaceChildren();
    row.removeAttribute("data-conflict");
  }

  function showConflict(row, current, mine) {
    const box = row.querySelector(".conflict");
    row.setAttribute("data-conflict", "");
    const theirs = element("div", undefined, "version theirs");
    theirs.append(element("h3", `Saved meanwhile (${current.status})`), element("p", current.target || "(empty)", "text"));
    const keepSaved = element("button", "Take the saved version");
    keepSaved.type = "button";
    theirs.append(keepSaved);
    const yours = element("div", undefined, "version yours");
    yours.append(element("h3", "Yours"), element("p", mine, "text"));
    const useMine = element("button", "Save mine over it");
    useMine.type = "button";
    yours.append(useMine);
    box.replaceChildren(element("p", "This segment changed since your edit began. Neither version is lost; choose one:"), theirs, yours);
    box.hidden = false;
    keepSaved.addEventListener("click", () => {
      applyState(row, current);
      check(row);
      editorOf(row).focus();
    });
    useMine.addEventListener("click", async () => {
      row.dataset.revision = current.revision;
      editorOf(row).value = mine;
      if (await confirmRow(row)) editorOf(row).focus();
    });
  }

  // --- moving between rows ------------------------------------------------------------------

  const visible = () => editable().filter((row) => !row.hidden);

  function focusRow(row) {
    if (!row) return;
    const editor = editorOf(row);
    editor.focus();
    row.scrollIntoView({ block: "nearest" });
  }

  function step(row, by) {
    const list = visible();
    const at = list.indexOf(row);
    focusRow(list[at + by]);
  }

  function nextToDo(row) {
    const list = visible();
    const at = list.indexOf(row);
    const order = [...list.slice(at + 1), ...list.slice(0, Math.max(at, 0))];
    const next = order.find((candidate) => candidate.dataset.status !== "human");
    if (next) focusRow(next);
    else say("every segment shown is reviewed");
  }

  function insert(editor, text) {
    const start = editor.selectionStart, end = editor.selectionEnd;
    editor.setRangeText(text, start, end, "end");
    editor.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // --- keys ------------------------------------------------------------------------------------

  document.addEventListener("keydown", (event) => {
    const row = rowOf(document.activeElement);
    const editor = row && editorOf(row);
    if (!editor || document.activeElement !== editor) return;
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      confirmRow(row).then((saved) => saved && nextToDo(row));
    } else if (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      step(row, event.key === "ArrowDown" ? 1 : -1);
    } else if (event.ctrlKey && event.shiftKey && event.code === "KeyS") {
      event.preventDefault();
      editor.value = row.querySelector(".zh").dataset.source;
      editor.dispatchEvent(new Event("input", { bubbles: true }));
    } else if (event.altKey && !event.ctrlKey && /^Digit[1-9]$/.test(event.code)) {
      event.preventDefault();
      const button = row.querySelectorAll("button.rendering")[Number(event.code.slice(5)) - 1];
      if (button) insert(editor, button.dataset.rendering);
    } else if (event.key === "Escape") {
      event.preventDefault();
      editor.value = editor.defaultValue;
      forget(row);
      hideConflict(row);
      check(row);
    }
  });

  document.addEventListener("input", (event) => {
    const row = rowOf(event.target);
    if (row && event.target === editorOf(row)) edited(row);
  });

  // a click on a rendering inserts it where the cursor was in its row's English
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button.rendering");
    if (!button) return;
    const editor = editorOf(rowOf(button));
    editor.focus();
    insert(editor, button.dataset.rendering);
  });

  // --- filter and search --------------------------------------------------------------------

  function applyFilter() {
    const filter = document.querySelector('input[name="filter"]:checked').value;
    const words = document.getElementById("search").value.trim().toLowerCase();
    for (const row of rows()) {
      const editor = editorOf(row);
      let shown = true;
      if (filter === "todo") shown = !!editor && row.dataset.status !== "human";
      else if (filter === "findings") shown = row.hasAttribute("data-has-findings");
      else if (filter === "flagged") shown = row.hasAttribute("data-flagged");
      if (shown && words) {
        const text = `${row.querySelector(".zh").dataset.source} ${editor ? editor.value : ""}`.toLowerCase();
        shown = text.includes(words);
      }
      row.hidden = !shown;
    }
  }

  for (const radio of document.querySelectorAll('input[name="filter"]')) radio.addEventListener("change", applyFilter);
  document.getElementById("search").addEventListener("input", applyFilter);

  // --- export ---------------------------------------------------------------------------------

  for (const button of document.querySelectorAll("button[data-export]")) {
    button.addEventListener("click", async () => {
      say(`${button.textContent}…`);
      const { status, data } = await post("/api/export", { format: button.dataset.export });
      if (status === 200) say(`wrote ${data.written.join(", ")}${data.warnings.length ? ` (${data.warnings.join("; ")})` : ""}`);
      else say(data.error || `not exported (${status})`);
    });
  }

  // the token has set the cookie: keep it out of the address bar, the history and bookmarks
  if (new URLSearchParams(location.search).has("token")) history.replaceState(null, "", "/");

  restoreDrafts();
  updateCounter();
})();
