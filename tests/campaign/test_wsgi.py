"""The WSGI module each web worker imports: what it loads before the first request."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run in a child process: importing the module freezes the importer's objects, which the test process
# should not do to itself.
PROBE = """
import gc, json, sys
from campaign import wsgi
from congress import usps
from django.urls import get_resolver
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "zips_loaded": usps._index.cache_info().currsize,
    "urls_loaded": "url_patterns" in get_resolver().__dict__,
    "app": callable(wsgi.application),
    "broker_loaded": any(m in sys.modules for m in ("kombu.transport.redis", "kombu.transport.filesystem")),
}))
"""


def test_a_worker_loads_urls_zips_and_broker_client_before_its_first_request_and_freezes_them():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["app"] is True
    assert found["urls_loaded"] is True
    assert found["zips_loaded"] == 1
    assert found["broker_loaded"] is True
    # Everything loaded so far sits in the permanent generation: a full collection skips it.
    assert found["frozen"] > 100_000
