"""The editor's routes: the page, its static files, and three calls (check, save, export).

Every request needs the token: in the URL the first time (which sets a cookie), the cookie
after that; without either it is refused with 403, and so is a request whose `Origin` is
another site or whose `Host` is not the address served (DNS rebinding).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..check import DraftChecker, Finding, check_document
from ..document import Document, Segment, load
from ..errors import BilingualError, Conflict, InputError
from ..exporters import ExportOptions
from ..review import save_edit

HERE = Path(__file__).parent
COOKIE = "bilingual_review"
# The export buttons: name -> (label, formats, edition), each through `export_file` as
# `bilingual export DOC.json --format … --edition …` does.
EXPORTS = {
    "docx": ("Export DOCX", ("docx",), "review"),
    "html": ("Export HTML", ("html",), "review"),
    "reader": ("Reader's edition (DOCX, HTML)", ("docx", "html"), "reader"),
}
MAX_BODY = 1_000_000  # bytes of one call's JSON: a segment's English is far less
KEYS = 9  # Alt+1…9 insert a row's first nine renderings


@dataclass
class Settings:
    """What the app serves and where its saves go."""

    json_path: Path
    token: str
    hosts: tuple[str, ...] = ("127.0.0.1", "localhost")  # Host header names accepted
    memory_path: Path | None = None
    use_memory: bool = True
    # The export buttons' options by edition, as `bilingual export` would take them here
    # (bilingual.toml's layout, fonts, paper); an edition not in it: ExportOptions' defaults.
    export_options: dict[str, ExportOptions] = field(default_factory=dict)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def create_app(settings: Settings) -> ASGIApp:
    """The editor as an ASGI app, guarded by its token and origin checks."""
    form = _Form(settings.json_path)

    def page(request: Request) -> Response:
        return HTMLResponse(_render_page(form.document(), settings.json_path))

    async def check(request: Request) -> Response:
        body = await _json_body(request)
        document = form.document()
        segment_id, target = str(body.get("segment", "")), str(body.get("target", ""))
        if document.segment(segment_id) is None:
            return _error(404, f"no segment {segment_id}")
        return JSONResponse({"findings": _findings(form.checker().check(segment_id, target))})

    async def save(request: Request) -> Response:
        body = await _json_body(request)
        segment_id = str(body.get("segment", ""))
        target, revision = str(body.get("target", "")), str(body.get("revision", ""))
        before = form.current_checker()  # None: the file changed since it was last read
        try:
            written = await _in_thread(
                save_edit,
                settings.json_path,
                segment_id,
                target,
                revision,
                settings.memory_path,
                use_memory=settings.use_memory,
            )
        except Conflict as e:
            state = _state(e.current, form.checker())
            return JSONResponse({"error": str(e), "current": state, "yours": target}, 409)
        except BilingualError as e:
            return _error(422 if isinstance(e, InputError) else 500, str(e))
        segment = written.document.segment(segment_id)
        assert segment is not None  # save_edit found it
        if before is not None and written.changed:  # only this segment changed: keep the rest
            form.remember(written.document, checker=before.after_save(written.document, segment_id))
        return JSONResponse({"segment": _state(segment, form.checker())})

    async def export(request: Request) -> Response:
        from ..pipeline import export_file

        body = await _json_body(request)
        name = str(body.get("format", ""))
        if name not in EXPORTS:
            return _error(422, f"cannot export {name!r} here (choose from {', '.join(EXPORTS)})")
        _, formats, edition = EXPORTS[name]
        options = settings.export_options.get(edition) or ExportOptions(edition=edition)
        try:
            result = await _in_thread(
                export_file, settings.json_path, formats=list(formats), options=options
            )
        except BilingualError as e:
            return _error(500, str(e))
        written = [p.name for p in result.written]
        return JSONResponse({"written": written, "warnings": result.warnings})

    app = Starlette(
        routes=[
            Route("/", page),
            Route("/api/check", check, methods=["POST"]),
            Route("/api/save", save, methods=["POST"]),
            Route("/api/export", export, methods=["POST"]),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        exception_handlers={_BadRequest: _bad_request},
    )
    return Guard(app, settings.token, settings.hosts)


class Guard:
    """The token (query, then cookie), the Host and the Origin of every request, or 403."""

    def __init__(self, app: ASGIApp, token: str, hosts: tuple[str, ...]) -> None:
        self.app, self.token, self.hosts = app, token, hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        host = request.headers.get("host", "")
        origin = request.headers.get("origin")
        if _hostname(host) not in self.hosts:
            await _refuse("403 Forbidden: not this server's address")(scope, receive, send)
            return
        if origin is not None and origin != f"{request.url.scheme}://{host}":
            await _refuse("403 Forbidden: a request from another site")(scope, receive, send)
            return
        given = request.query_params.get("token")
        if given is not None and secrets.compare_digest(given, self.token):
            await self.app(scope, receive, self._with_cookie(send))
            return
        cookie = request.cookies.get(COOKIE, "")
        if cookie and secrets.compare_digest(cookie, self.token):
            await self.app(scope, receive, send)
            return
        message = "403 Forbidden: open the URL `bilingual review` printed (it carries the token)"
        await _refuse(message)(scope, receive, send)

    def _with_cookie(self, send: Send) -> Send:
        cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"set-cookie", cookie.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        return sending


def _hostname(host: str) -> str:
    if host.startswith("["):  # [::1]:8765
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def _refuse(message: str) -> Response:
    return PlainTextResponse(message, 403)


def _error(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status)


async def _json_body(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise _BadRequest("send JSON (Content-Type: application/json)")
    data = await request.body()
    if len(data) > MAX_BODY:
        raise _BadRequest("too large")
    import json

    try:
        body = json.loads(data)
    except ValueError:
        raise _BadRequest("not JSON") from None
    if not isinstance(body, dict):
        raise _BadRequest("not a JSON object")
    return body


class _BadRequest(Exception):
    pass


async def _bad_request(request: Request, error: Exception) -> Response:
    return _error(400, str(error))


async def _in_thread(function: Any, *args: Any, **kwargs: Any) -> Any:
    # the JSON form's lock and the memory may wait: never on the event loop
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(function, *args, **kwargs)


class _Form:
    """The JSON form as last read, read again when the file on disk changed (an import, a
    translate, another tab's save), so that checks see the document as it is."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._identity: tuple[int, int, int] | None = None
        self._document: Document | None = None
        self._checker: DraftChecker | None = None

    def document(self) -> Document:
        identity = self._stat()
        if self._document is None or identity != self._identity:
            self.remember(load(self.path), identity)
        assert self._document is not None
        return self._document

    def checker(self) -> DraftChecker:
        """The checker of the document as it is now (made once per version of the file)."""
        document = self.document()
        if self._checker is None or self._checker.document is not document:
            self._checker = DraftChecker(document)
        return self._checker

    def current_checker(self) -> DraftChecker | None:
        """The checker already made, if the file on disk is still the version it was made of."""
        if self._checker is None or self._stat() != self._identity:
            return None
        return self._checker if self._checker.document is self._document else None

    def remember(
        self,
        document: Document,
        identity: tuple[int, int, int] | None = None,
        *,
        checker: DraftChecker | None = None,
    ) -> None:
        self._document, self._identity = document, identity or self._stat()
        self._checker = checker

    def _stat(self) -> tuple[int, int, int]:
        info = self.path.stat()
        return info.st_ino, info.st_size, info.st_mtime_ns


# --- what the page shows ---------------------------------------------------------------------


def _findings(findings: list[Finding]) -> list[dict[str, str]]:
    # a term twice in a sentence gives the same finding twice: the row lists it once
    shown = dict.fromkeys((f.code, f.severity, f.message) for f in findings)
    return [
        {"code": code, "severity": severity, "message": message}
        for code, severity, message in shown
    ]


def _state(segment: Segment, checker: DraftChecker) -> dict[str, Any]:
    """A segment as the page updates its row from: after a save, or in a conflict."""
    findings = checker.check(segment.id, segment.target)
    return {
        "id": segment.id,
        "target": segment.target,
        "status": segment.status,
        "revision": segment.revision,
        "flags": list(segment.flags),
        "findings": _findings(findings),
    }


def _render_page(document: Document, json_path: Path) -> str:
    import hashlib

    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    findings: dict[str, list[Finding]] = {}
    for finding in check_document(document):
        findings.setdefault(finding.segment_id, []).append(finding)
    editable = {s.id for s in document.translatable_segments if s.source.strip()}
    blocks: list[dict[str, Any]] = [
        {
            "id": block.id,
            "kind": block.kind,
            "rows": [_row(s, s.id in editable, findings.get(s.id, [])) for s in block.segments],
        }
        for block in document.blocks
    ]
    rows = [r for b in blocks for r in b["rows"] if r["editable"]]
    key = hashlib.sha256(str(json_path.resolve()).encode("utf-8", "surrogatepass")).hexdigest()
    return environment.get_template("editor.html.j2").render(
        title=document.title,
        source_lang=document.source_lang,
        blocks=blocks,
        total=len(rows),
        left=len([r for r in rows if r["status"] != "human"]),
        document_key=key[:16],
        exports={name: label for name, (label, _, _) in EXPORTS.items()},
        file_name=json_path.name,
    )


def _row(segment: Segment, editable: bool, findings: list[Finding]) -> dict[str, Any]:
    keys = 0
    terms = []
    seen: set[tuple[str, str]] = set()
    for term in segment.terms:
        if (term.source, term.rendering) in seen:
            continue  # a term said twice in the sentence: listed once
        seen.add((term.source, term.rendering))
        renderings = []
        for rendering in dict.fromkeys([term.rendering, *(term.also or [])]):
            keys += 1
            renderings.append({"text": rendering, "key": keys if keys <= KEYS else None})
        terms.append({"source": term.source, "renderings": renderings, "note": term.note})
    return {
        "id": segment.id,
        "status": segment.status,
        "revision": segment.revision,
        "target": segment.target,
        "source": segment.source,
        "flags": segment.flags,
        "editable": editable,
        "pieces": _pieces(segment),
        "terms": terms,
        "findings": _findings(findings),
    }


def _pieces(segment: Segment) -> list[dict[str, Any]]:
    """The Chinese cut at its terms, so that the page highlights them (text only: escaped)."""
    pieces: list[dict[str, Any]] = []
    at = 0
    for term in sorted(segment.terms, key=lambda t: t.start):
        if term.start < at or term.end > len(segment.source):
            continue  # overlapping or out of range: left unmarked rather than cut wrongly
        if term.start > at:
            pieces.append({"text": segment.source[at : term.start]})
        pieces.append({"text": segment.source[term.start : term.end], "rendering": term.rendering})
        at = term.end
    if at < len(segment.source):
        pieces.append({"text": segment.source[at:]})
    for piece in pieces:
        piece["parts"] = _visible_controls(piece["text"])
    return pieces


def _visible_controls(text: str) -> list[dict[str, Any]]:
    """`text` in parts, each direction or zero-width control its own part, which the page shows
    as a visible code (U+202E) instead of letting it reorder or hide the Chinese."""
    from ..glossary.fold import INVISIBLE

    parts: list[dict[str, Any]] = []
    start = 0
    for index, char in enumerate(text):
        if char in INVISIBLE:
            if index > start:
                parts.append({"text": text[start:index]})
            parts.append({"text": f"U+{ord(char):04X}", "control": True})
            start = index + 1
    if start < len(text):
        parts.append({"text": text[start:]})
    return parts
