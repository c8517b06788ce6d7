"""A tiny Census Geocoder stand-in on loopback: answers /geographies/* with a configured match."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def census_match(*, state: str, district: str, zip_code: str, congress: int = 119) -> dict:
    return {
        "result": {
            "addressMatches": [
                {
                    "matchedAddress": "MATCHED ADDRESS",
                    "addressComponents": {"zip": zip_code, "state": state},
                    "geographies": {
                        "States": [{"STUSAB": state}],
                        f"{congress}th Congressional Districts": [
                            {f"CD{congress}": district, "CDSESSN": str(congress), "BASENAME": str(int(district))}
                        ],
                    },
                }
            ]
        }
    }


class FakeGeocoder:
    def __init__(self, payload: dict, status: int = 200):
        self.payload = payload
        self.status = status
        self.requests: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's hook name
                fake.requests.append(self.path)
                body = json.dumps(fake.payload).encode()
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeGeocoder:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
