"""`stepresearch show RUN_DIR`: the run viewer served from 127.0.0.1, following a run that is still going.

Every request reads the run folder afresh (`folder.read_run`: the latest
checkpoint, read-only), so the page, which polls `view.json` while the run
is going, gains nodes as they finish, and shows a killed run up to its last
checkpoint. The server binds to loopback only and serves two paths.
"""

from __future__ import annotations

import errno
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import structlog

from stepresearch.core.errors import UsageError
from stepresearch.graphs import build_graph

from .folder import read_run
from .page import render_page
from .view import RunView, run_view

log = structlog.get_logger(__name__)

HOST = "127.0.0.1"


class RunViewer:
    """One run folder's view, rebuilt on each request; the compiled graph (for its picture) is built once."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.graph = build_graph()
        self.current()  # a folder that cannot be shown fails here, before anything is served

    def current(self) -> RunView:
        snapshot = read_run(self.folder)
        return run_view(snapshot.state, self.graph, status=snapshot.status, record=snapshot.record)


def make_server(folder: Path, port: int = 0) -> ThreadingHTTPServer:
    """The viewer's server on 127.0.0.1:`port` (0: any free port), not yet serving."""
    viewer = RunViewer(folder)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server protocol)
            path = self.path.split("?", 1)[0]
            if path not in ("/", "/index.html", "/view.json"):
                self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found\n")
                return
            try:
                view = viewer.current()
            except UsageError as exc:  # the folder changed under us: say so, keep serving
                self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/plain", f"{exc}\n".encode())
                return
            if path == "/view.json":
                self._send(HTTPStatus.OK, "application/json", view.model_dump_json().encode())
            else:
                self._send(HTTPStatus.OK, "text/html; charset=utf-8", render_page(view, live=True).encode())

        def _send(self, status: HTTPStatus, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the http.server signature)
            log.debug("viewer_request", request=format % args)

    try:
        server = ThreadingHTTPServer((HOST, port), Handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} on {HOST} is in use; pick another with --port") from None
        raise UsageError(f"cannot serve on {HOST}:{port}: {exc.strerror}") from None
    server.daemon_threads = True
    return server


def address(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/"


def serve_in_thread(folder: Path, port: int = 0) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """For an app or a test: the viewer serving on a thread; stop it with `server.shutdown()`."""
    server = make_server(folder, port)
    thread = threading.Thread(target=server.serve_forever, name="stepresearch-viewer", daemon=True)
    thread.start()
    return server, thread
