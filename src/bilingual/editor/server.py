"""Serving the editor: bind the port (a busy one is a one-line error), say the URL, run uvicorn
until Ctrl-C. The library does not print: the URL goes to the caller's `announce`."""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError, UsageError

if TYPE_CHECKING:
    from ..exporters import ExportOptions

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def serve(
    json_path: str | Path,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    open_browser: bool = True,
    memory_path: str | Path | None = None,
    use_memory: bool = True,
    export_options: dict[str, ExportOptions] | None = None,
    announce: Callable[[str], None] = lambda url: None,
) -> None:
    """Serve the editor of the JSON form at `json_path` on `host`:`port` (0: any free port).

    The JSON form is read first (an unreadable one stops here, before anything is served);
    `export_options` are the export buttons' options by edition (default: ExportOptions');
    `announce` is given the URL with its token once the port is bound.
    """
    import uvicorn

    from ..document import load
    from .app import Settings, create_app, new_token

    json_path = Path(json_path)
    if not json_path.is_file():
        raise InputError(f"{json_path}: no such file (the JSON form to review)")
    load(json_path)  # an invalid JSON form: its one-line error now, not in the browser
    listening = bind(host, port)
    bound = listening.getsockname()[1]
    token = new_token()
    hosts = tuple(dict.fromkeys([host, DEFAULT_HOST, "localhost"]))
    settings = Settings(
        json_path=json_path,
        token=token,
        hosts=hosts,
        memory_path=Path(memory_path) if memory_path is not None else None,
        use_memory=use_memory,
        export_options=dict(export_options or {}),
    )
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound}/?token={token}"
    announce(url)
    if open_browser:
        import threading
        import webbrowser

        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    config = uvicorn.Config(
        create_app(settings), log_level="warning", access_log=False, lifespan="off"
    )
    uvicorn.Server(config).run(sockets=[listening])


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on `host`:`port`; a port in use is a `UsageError` saying so."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        return socket.create_server((host, port), family=family)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} on {host} is in use (another `bilingual review`?); choose "
                "another with --port, or --port 0 for any free one"
            ) from None
        raise UsageError(f"cannot listen on {host}:{port} ({e.strerror or e})") from None
