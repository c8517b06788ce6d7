"""A small base for fake outside services: a real threaded HTTP server on 127.0.0.1, port chosen by the OS."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


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
