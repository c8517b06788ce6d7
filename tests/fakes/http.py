"""A small base for fake outside services: a real threaded HTTP server on 127.0.0.1, port chosen by the OS."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing and answers in one call with `reply`."""

    def log_message(self, *args):  # quiet
        pass

    def reply(self, status: int, body: bytes | str | dict | list, ctype: str | None = None) -> None:
        """Answer `status` with `body`: bytes as given, str as UTF-8, a dict or list as JSON (Content-Type
        application/json unless `ctype` says otherwise). A client that has gone away (a timeout test, a killed
        worker) is not an error."""
        if isinstance(body, (dict, list)):
            data, default = json.dumps(body).encode(), "application/json"
        elif isinstance(body, str):
            data, default = body.encode(), "text/plain; charset=utf-8"
        else:
            data, default = body, "application/octet-stream"
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype or default)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # BrokenPipeError, ConnectionResetError, ...
            pass


class FakeServer:
    """Start with `with FakeServer(Handler) as server:`; `server.url` is its base URL."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], *, port: int = 0):
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._httpd.daemon_threads = True
        self._httpd.fake = self  # handlers reach shared state through self.server.fake
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._httpd.shutdown()
        self._httpd.server_close()
