"""One OpenAI-compatible server: its HTTP client, the form of output constraint it honours, and
the faults of one request (retries with backoff, what is never retried).

Servers take a JSON schema in different forms: OpenAI's `response_format` `json_schema`
(llama-server, vLLM, LM Studio), llama-cpp-python's `{"type": "json_object", "schema": ...}`
(it answers the OpenAI form with HTTP 500), and Ollama's `format` on its native `/api/chat`.
`probe` finds which one a server honours, if any, by asking for a value only a constrained
decoder would give.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx

from ...errors import UsageError

# The forms, in the order the probe tries them; "none": the schema only in the prompt.
FORMS = ("json_schema", "json_object", "ollama")
NONE = "none"
DESCRIBED = {
    "json_schema": "response_format json_schema",
    "json_object": "response_format json_object with a schema",
    "ollama": "Ollama's format",
    NONE: "nothing (the server ignores schemas; replies are read leniently)",
}
# Extras a server may refuse (OpenAI answers 400): Qwen3's switch for its thinking block.
EXTRAS: dict[str, Any] = {"chat_template_kwargs": {"enable_thinking": False}}

RETRIES = 3  # after the first attempt, for 429, 5xx and dropped connections
CONNECT_SECONDS = 10.0
MAX_RETRY_AFTER = 60.0

# The probe's schema admits one value that no model would write unprompted.
PROBE_VALUE = "zqxj-probe-7"
PROBE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"answer": {"type": "string", "enum": [PROBE_VALUE]}},
    "required": ["answer"],
    "additionalProperties": False,
}
PROBE_MESSAGE = 'Reply with the JSON object {"answer": "yes"} and nothing else.'


class ShapeRefused(Exception):
    """The server answered 4xx/5xx to the request's shape: never retried."""


class GroupFailed(Exception):
    """This request cannot be answered as sent (timeout, 5xx again, over the context length,
    an unusable reply): the caller halves the group and tries again. `server_fault`: the server
    answered 5xx or 429 through every retry (a server that does so to every request is down)."""

    def __init__(self, message: str, *, server_fault: bool = False) -> None:
        super().__init__(message)
        self.server_fault = server_fault


class ServerDown(Exception):
    """The server refuses or drops connections after the retries, refuses the key, or does not
    have the model: its groups go to the other servers."""


def schema_for(ids: list[str], sources: list[str]) -> dict[str, Any]:
    """A JSON object with exactly `ids` as required strings; each at most about three times its
    source plus 200 characters, which stops runaway output."""
    return {
        "type": "object",
        "properties": {
            i: {"type": "string", "maxLength": 3 * len(s) + 200}
            for i, s in zip(ids, sources, strict=True)
        },
        "required": list(ids),
        "additionalProperties": False,
    }


class Server:
    """One base URL (`.../v1`): a client, what the probe found, whether it still answers."""

    def __init__(self, url: str, *, api_key: str | None, backoff: float) -> None:
        self.url = url.rstrip("/")
        if not self.url.startswith(("http://", "https://")):
            raise UsageError(f"--llm-url {url}: not an http:// or https:// URL")
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client: httpx.Client | None = None
        self.stopped = False  # for good: the run ended (Ctrl-C, no server left)
        self._opening = threading.Lock()
        self.backoff = backoff
        self.form: str | None = None  # None until probed
        self.extras: dict[str, Any] = {}
        self.alive = True
        self.reason = ""  # why it is no longer used
        self.busy = 0  # requests in flight
        self.faults = 0  # requests in a row answered 5xx/429 through every retry
        self.probing = threading.Lock()

    @property
    def client(self) -> httpx.Client:
        """The HTTP client, opened on first use (`close` ends it: no socket outlives a call)."""
        with self._opening:
            if self.stopped:
                raise ServerDown("stopped with the run")
            if self._client is None:
                # A server on this machine is never reached through a proxy variable; one on
                # another machine goes as the environment says (HTTPS_PROXY, NO_PROXY, ...).
                self._client = httpx.Client(
                    headers=self._headers, timeout=CONNECT_SECONDS, trust_env=not self.local
                )
            return self._client

    @property
    def local(self) -> bool:
        """Whether the server is on this machine (a loopback address)."""
        host = httpx.URL(self.url).host
        return host in ("localhost", "::1") or host.startswith("127.")

    @property
    def root(self) -> str:
        """The server without its `/v1` (Ollama's native API lives there)."""
        return self.url[: -len("/v1")] if self.url.endswith("/v1") else self.url

    def models(self) -> list[dict[str, Any]]:
        """The models the server lists (`GET /models`)."""
        data = self._post_or_get("GET", f"{self.url}/models", None, CONNECT_SECONDS * 3)
        return [m for m in data.get("data") or [] if isinstance(m, dict) and m.get("id")]

    # -- requests ----------------------------------------------------------------------------

    def chat(
        self,
        model: str,
        message: str,
        schema: dict[str, Any],
        *,
        options: dict[str, Any],
        read_seconds: float,
        form: str | None = None,
        extras: dict[str, Any] | None = None,
        shape_only: bool = False,
    ) -> str:
        """The reply's text to one user message, the output constrained by `schema` in the
        server's form. `shape_only` (the probe): any 4xx/5xx is a shape answer."""
        form = form or self.form or NONE
        extras = self.extras if extras is None else extras
        messages = [{"role": "user", "content": message}]
        if form == "ollama":
            native: dict[str, Any] = {"temperature": options.get("temperature", 0)}
            if options.get("seed") is not None:
                native["seed"] = options["seed"]
            if options.get("max_tokens"):
                native["num_predict"] = options["max_tokens"]
            body = {
                "model": model,
                "messages": messages,
                "stream": False,
                "format": schema,
                "options": native,
            }
            data = self._post_or_get(
                "POST", f"{self.root}/api/chat", body, read_seconds, shape_only
            )
            return str((data.get("message") or {}).get("content") or "")
        body = {"model": model, "messages": messages, "stream": False, **extras}
        body["temperature"] = options.get("temperature", 0)
        for key in ("seed", "max_tokens"):
            if options.get(key) is not None:
                body[key] = options[key]
        if form == "json_schema":
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "translation", "strict": True, "schema": schema},
            }
        elif form == "json_object":
            body["response_format"] = {"type": "json_object", "schema": schema}
        data = self._post_or_get(
            "POST", f"{self.url}/chat/completions", body, read_seconds, shape_only
        )
        try:
            content = data["choices"][0]["message"].get("content")
        except (KeyError, IndexError, TypeError, AttributeError):
            raise GroupFailed("the reply has no choices[0].message") from None
        return str(content or "")

    def _post_or_get(
        self,
        method: str,
        url: str,
        body: dict[str, Any] | None,
        read_seconds: float,
        shape_only: bool = False,
    ) -> dict[str, Any]:
        """One request with the retries: 429 (after Retry-After), 5xx and dropped connections
        at most RETRIES times, with backoff; a timeout or a 4xx is never retried."""
        timeout = httpx.Timeout(CONNECT_SECONDS, read=read_seconds)
        delay = self.backoff
        for attempt in range(RETRIES + 1):
            last = attempt == RETRIES
            try:
                response = self.client.request(method, url, json=body, timeout=timeout)
            except httpx.ConnectTimeout:
                if last:
                    raise ServerDown("does not accept connections") from None
            except httpx.TimeoutException:
                raise GroupFailed(f"no reply within {read_seconds:.0f} s") from None
            except httpx.ConnectError:
                if last:
                    raise ServerDown("refuses connections") from None
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
                if last:
                    raise ServerDown("drops connections") from None
            else:
                status = response.status_code
                if status < 400:
                    try:
                        data = response.json()
                    except ValueError:
                        raise GroupFailed("the reply is not JSON") from None
                    if not isinstance(data, dict):
                        raise GroupFailed("the reply is not a JSON object")
                    return data
                said = _said(response)
                if status in (401, 403) or (status == 404 and url.endswith("/chat/completions")):
                    # a key refused, or no such model: no other request would fare better
                    raise ServerDown(f"answers HTTP {status}{said}")
                if shape_only and status != 429:
                    raise ShapeRefused(f"HTTP {status}{said}")
                if status == 429:
                    if last:
                        raise GroupFailed(f"HTTP 429 (too many requests){said}", server_fault=True)
                    time.sleep(_retry_after(response, delay))
                    delay *= 2
                    continue
                if status >= 500:
                    if last:
                        raise GroupFailed(f"HTTP {status}{said}", server_fault=True)
                elif _over_context(said):
                    raise GroupFailed(f"over the context length{said}")
                else:
                    raise ShapeRefused(f"HTTP {status}{said}")
            time.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    # -- the probe ---------------------------------------------------------------------------

    def probe(self, model: str, options: dict[str, Any], read_seconds: float) -> None:
        """Find the form of output constraint this server honours for `model`, and whether it
        takes the extras; remembered for the run (one server, one model).

        Each OpenAI-style form is asked with the extras first: a server that takes both answers
        the first request, so a well-behaved server costs one probe. Only a refusal asks again
        without them, which tells the extras' refusal from the form's.
        """
        options = {**options, "max_tokens": 32}
        found, takes_extras = NONE, None
        for form in FORMS:
            if form == "ollama":
                attempts: list[dict[str, Any]] = [{}]
            elif takes_extras is None:
                attempts = [EXTRAS, {}]
            else:
                attempts = [EXTRAS if takes_extras else {}]
            for extras in attempts:
                try:
                    text = self.chat(
                        model,
                        PROBE_MESSAGE,
                        PROBE_SCHEMA,
                        options=options,
                        read_seconds=read_seconds,
                        form=form,
                        extras=extras,
                        shape_only=True,
                    )
                except (ShapeRefused, GroupFailed):
                    continue
                if form != "ollama" and takes_extras is None:
                    takes_extras = bool(extras)
                if _honoured(text):
                    found = form
                break
            if found != NONE:
                break
        if takes_extras is None and found != "ollama":
            takes_extras = self._takes_extras(model, options, read_seconds)
        self.form, self.extras = found, (EXTRAS if takes_extras else {})

    def _takes_extras(self, model: str, options: dict[str, Any], read_seconds: float) -> bool:
        """Whether a request with the extras and no schema is answered (every form refused)."""
        try:
            self.chat(
                model,
                PROBE_MESSAGE,
                PROBE_SCHEMA,
                options=options,
                read_seconds=read_seconds,
                form=NONE,
                extras=EXTRAS,
                shape_only=True,
            )
        except (ShapeRefused, GroupFailed):
            return False
        return True

    def close(self, *, for_good: bool = False) -> None:
        """Close the connections (the next request opens new ones, unless `for_good`)."""
        with self._opening:
            client, self._client = self._client, None
            self.stopped = self.stopped or for_good
        if client is not None:
            client.close()


def _honoured(text: str) -> bool:
    """Whether a probe's reply holds the value only a constrained decoder gives."""
    from .reply import first_object

    reply = first_object(text, ["answer"])
    return reply is not None and reply.get("answer") == PROBE_VALUE


def _said(response: httpx.Response) -> str:
    """What an error answer says, shortened, for messages and for telling a context overflow."""
    try:
        text = " ".join(response.text.split())
    except Exception:  # an undecodable body says nothing useful
        return ""
    return f": {text[:200]}" if text else ""


def _over_context(said: str) -> bool:
    lowered = said.lower()
    return "context" in lowered and any(
        word in lowered for word in ("length", "exceed", "window", "too long", "maximum")
    )


def _retry_after(response: httpx.Response, default: float) -> float:
    value = response.headers.get("retry-after", "")
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        return default
