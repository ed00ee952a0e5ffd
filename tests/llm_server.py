"""An OpenAI-compatible HTTP server on a loopback port that plays a language model, well behaved
or misbehaving on cue, for the `llm` engine's tests and benchmark.

Its "model" reads the user message as the engine writes it: the glossary rows, then the group's
JSON object at the end. Its English for a segment names each term's rendering as often as the
Chinese has the term, keeps the source's numbers and copies placeholder codes, padded with words
to a plausible length; so a well-behaved run passes every check, and each misbehaviour is one
cue away.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bilingual.numbers import source_numbers

_ROW = re.compile(
    r"^- (?P<source>.+?) → (?P<rendering>.+?)(?: \(also: .*?\))?(?: \[(?P<ids>.*)\])?$"
)
_CODES = re.compile(r"(?<![A-Za-z0-9])Z[QXJVKW]{1,4}(?![A-Za-z0-9])")
RETRY_MARK = "Your previous English for this segment was wrong"


@dataclass
class Cues:
    """What the model does wrong, and when. Counts go down as requests use them."""

    models: list[str] = field(default_factory=lambda: ["fake-mt"])
    # forms of output constraint it honours / answers with HTTP 500 ("json_schema", ...)
    honours: set[str] = field(default_factory=lambda: {"json_schema"})
    refuses: set[str] = field(default_factory=set)
    refuses_extras: bool = False
    api_key: str | None = None  # required as a Bearer token when set
    missing_id: int = 0  # group replies that leave out their first id
    merged: int = 0  # group replies with the 2nd segment's English under the 1st id
    chatter: bool = False  # commentary, a thinking block and code fences around the JSON
    leave_out_terms: bool = False  # first answers write no renderings
    stubborn: bool = False  # retries write no renderings either
    copies_codes: bool = True  # placeholder codes come through unchanged
    too_many: int = 0  # group requests answered 429 (Retry-After: 0)
    failing: int = 0  # group requests answered 500
    slow: int = 0  # group requests answered after `slow_seconds`
    slow_seconds: float = 3.0
    drop: int = 0  # group requests whose connection is closed without an answer
    die_after: int | None = None  # group requests answered before the server stops for good
    max_ids: int | None = None  # a group of more segments is "over the context length" (400)
    jitter: float = 0.0  # up to this many seconds more per group request, at random
    delay: float = 0.0  # seconds per request (a realistic model for the benchmark)
    delay_per_token: float = 0.0  # seconds per output token (four characters)
    injected: str = ""  # Chinese that, when in a segment, makes the model write this English
    injected_english: str = ""


class FakeModel:
    """The server: `url` is its `/v1` base; `requests` records each request's JSON and headers."""

    def __init__(self, cues: Cues | None = None, *, port: int = 0) -> None:
        self.cues = cues or Cues()
        self.requests: list[dict[str, Any]] = []
        self.log: str | None = None  # a file to append each request to, as a JSON line
        self.lock = threading.Lock()
        self.group_requests = 0
        model = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                model.handle(self, None)

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                model.handle(self, json.loads(self.rfile.read(length) or b"{}"))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.stopped = False

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.httpd.shutdown()
            self.httpd.server_close()

    def __enter__(self) -> FakeModel:
        return self

    def __exit__(self, *args: Any) -> None:
        self.stop()

    # -- answering ---------------------------------------------------------------------------

    def handle(self, request: BaseHTTPRequestHandler, body: dict[str, Any] | None) -> None:
        cues = self.cues
        with self.lock:
            self.requests.append(
                {"path": request.path, "body": body, "headers": dict(request.headers.items())}
            )
            if self.log:
                with open(self.log, "a", encoding="utf-8") as log:
                    log.write(json.dumps({"path": request.path, "body": body}) + "\n")
        if cues.api_key and request.headers.get("authorization") != f"Bearer {cues.api_key}":
            return _send(request, 401, {"error": {"message": "invalid api key"}})
        if request.command == "GET":
            if request.path.rstrip("/") == "/v1/models":
                return _send(request, 200, {"data": [{"id": m} for m in cues.models]})
            return _send(request, 404, {"error": "not found"})
        assert body is not None
        if request.path == "/api/chat":
            if "ollama" not in cues.honours:
                return _send(request, 404, {"error": "not found"})
            form, schema = "ollama", body.get("format")
        elif request.path == "/v1/chat/completions":
            form, schema = _form(body)
        else:
            return _send(request, 404, {"error": "not found"})
        if form in cues.refuses:
            return _send(request, 500, {"error": {"message": f"response_format {form} failed"}})
        if "chat_template_kwargs" in body and cues.refuses_extras:
            return _send(request, 400, {"error": {"message": "unknown field chat_template_kwargs"}})
        if body.get("model") not in cues.models:
            missing = f"model {body.get('model')} not found"
            return _send(request, 404, {"error": {"message": missing}})
        message = body["messages"][-1]["content"]
        honoured = form in cues.honours
        probe = "\n\n{" not in message  # a group's message ends with its JSON object
        if probe or (schema and "answer" in schema.get("properties", {})):
            value = "yes"
            if honoured and schema:
                value = schema["properties"]["answer"].get("enum", ["yes"])[0]
            return self._reply(request, form, json.dumps({"answer": value}))
        with self.lock:
            self.group_requests += 1
            number = self.group_requests
            fault = None
            if cues.die_after is not None and number > cues.die_after:
                fault = "die"
            else:
                for cue in ("drop", "too_many", "failing", "slow"):
                    if getattr(cues, cue) > 0:
                        setattr(cues, cue, getattr(cues, cue) - 1)
                        fault = cue
                        break
        if fault == "die":
            _drop(request)
            threading.Thread(target=self.stop, daemon=True).start()
            return None
        if fault == "drop":
            return _drop(request)
        if fault == "too_many":
            return _send(request, 429, {"error": "slow down"}, {"Retry-After": "0"})
        if fault == "failing":
            return _send(request, 500, {"error": {"message": "internal error"}})
        if fault == "slow":
            time.sleep(cues.slow_seconds)
        if cues.jitter:
            time.sleep(random.uniform(0, cues.jitter))
        if cues.max_ids is not None and len(_group(message)) > cues.max_ids:
            error = "This model's maximum context length is 4096 tokens; the request exceeds it"
            return _send(request, 400, {"error": {"message": error}})
        english = self.translate(message)
        if cues.delay or cues.delay_per_token:
            tokens = sum(len(v) for v in english.values()) / 4
            time.sleep(cues.delay + cues.delay_per_token * tokens)
        text = json.dumps(english, ensure_ascii=False)
        if cues.chatter or not honoured:
            text = (
                "<think>The user wants JSON.</think>Sure! Here is the translation:\n"
                f"```json\n{text}\n```\nI hope this helps."
            )
        return self._reply(request, form, text)

    def _reply(self, request: BaseHTTPRequestHandler, form: str, text: str) -> None:
        if form == "ollama":
            return _send(request, 200, {"message": {"role": "assistant", "content": text}})
        return _send(
            request,
            200,
            {"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}]},
        )

    def translate(self, message: str) -> dict[str, str]:
        """The model's answer to a group: id -> English."""
        cues = self.cues
        start = message.rindex("\n\n{")
        group = _group(message)
        rows = []
        for line in message[:start].splitlines():
            found = _ROW.match(line)
            if found:
                ids = [i.strip() for i in (found["ids"] or "").split(",") if i.strip()]
                rows.append((found["source"], found["rendering"], ids))
        retry = RETRY_MARK in message
        leave_out = cues.stubborn if retry else cues.leave_out_terms
        english = {
            sid: self.english(sid, chinese, rows, leave_out_terms=leave_out)
            for sid, chinese in group.items()
        }
        ids = list(english)
        with self.lock:
            if cues.merged and len(ids) > 1:
                cues.merged -= 1
                english[ids[0]] += " " + english.pop(ids[1])
            elif cues.missing_id and len(ids) > 1:
                cues.missing_id -= 1
                english.pop(ids[0])
        return english

    def english(
        self,
        sid: str,
        chinese: str,
        rows: list[tuple[str, str, list[str]]],
        *,
        leave_out_terms: bool,
    ) -> str:
        if self.cues.injected and self.cues.injected in chinese:
            return self.cues.injected_english
        words: list[str] = []
        remaining = chinese
        for source, rendering, ids in sorted(rows, key=lambda row: -len(row[0])):
            if ids and sid not in ids:
                continue
            count = remaining.count(source)
            remaining = remaining.replace(source, "\0")
            if not leave_out_terms:
                words.extend([rendering] * count)
        if self.cues.copies_codes:
            words.extend(_CODES.findall(chinese))
        numbers = [f.expected().split(" or ")[0] for f in source_numbers(chinese)]
        text = "Rendered: " + "; ".join([*words, *numbers]) if words or numbers else "Rendered"
        while len(text) < 2 * len(chinese):
            text += " words"
        return text + "."


def _group(message: str) -> dict[str, str]:
    """The group's JSON object that ends a request's message."""
    return dict(json.loads(message[message.rindex("\n\n{") :]))


def _form(body: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    fmt = body.get("response_format")
    if not fmt:
        return "none", None
    if fmt.get("type") == "json_schema":
        return "json_schema", fmt["json_schema"]["schema"]
    return "json_object", fmt.get("schema")


def _send(
    request: BaseHTTPRequestHandler,
    status: int,
    payload: Any,
    headers: dict[str, str] | None = None,
) -> None:
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request.send_response(status)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", str(len(data)))
    for key, value in (headers or {}).items():
        request.send_header(key, value)
    request.end_headers()
    request.wfile.write(data)


def _drop(request: BaseHTTPRequestHandler) -> None:
    """Close the connection without an answer (a server that crashed mid-request)."""
    request.close_connection = True
    with contextlib.suppress(OSError):
        request.connection.shutdown(socket.SHUT_RDWR)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    """`python -m tests.llm_server --port N`: serve until killed (the benchmark's server, in a
    process of its own). `--log FILE` appends each request's path and body as a JSON line."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", default=None)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--delay-per-token", type=float, default=0.0)
    args = parser.parse_args()
    model = FakeModel(Cues(delay=args.delay, delay_per_token=args.delay_per_token), port=args.port)
    if args.log:
        model.log = args.log
    model.thread.join()


if __name__ == "__main__":
    main()
