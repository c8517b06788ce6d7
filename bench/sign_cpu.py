"""CPU per sign request, in-process: the full sign path and the bare one-INSERT view, each driven through
Django's WSGI handler (all middleware, no HTTP server), one request at a time.

    DATABASE_URL=postgres://... REDIS_URL=redis://... make bench-sign-cpu
    python -m bench.sign_cpu [N] [--profile sign|bare]

CPU time (process_time) per request does not depend on what else the machine is doing, unlike
requests/s over HTTP, so it is the figure to compare between versions of the code on a shared machine.
Wall time per request is printed too (it includes the database and broker round trips).
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import time
import uuid
from urllib.parse import urlencode

from bench.common import bench_env, manage
from bench.sign import SLUG, _django, _prepare, _reset


def _environ(path: str, body: bytes) -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "18400",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_USER_AGENT": "wrk",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def _run(app, path: str, n: int, prefix: str) -> tuple[float, float, dict[int, int]]:
    statuses: dict[int, int] = {}

    def start_response(status, headers, exc_info=None):
        code = int(status.split()[0])
        statuses[code] = statuses.get(code, 0) + 1

    cpu0, wall0 = time.process_time(), time.perf_counter()
    for i in range(n):
        fields = {"email": f"{prefix}-{i}@bench.example.org", "postal_code": "05401", "given_name": "Ada"}
        if i % 2 == 0:
            fields["email_opt_in"] = "true"  # half the signers opt in: the consent record is measured too
        body = urlencode(fields)
        response = app(_environ(path, body.encode()), start_response)
        b"".join(response)
        response.close()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return cpu / n * 1000, wall / n * 1000, statuses


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 2000
    profile = sys.argv[sys.argv.index("--profile") + 1] if "--profile" in sys.argv else None
    db = os.environ.get("DATABASE_URL", "")
    if not db.startswith(("postgres://", "postgresql://")):
        sys.exit("bench.sign_cpu needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/dbname")
    env = bench_env(PUBLIC_BASE_URL="http://127.0.0.1:18400")
    manage("migrate", "--no-input", env=env)
    manage("sync_congress", "--if-empty", env=env)
    os.environ["PUBLIC_BASE_URL"] = env["PUBLIC_BASE_URL"]
    _django(env)
    from django.core.wsgi import get_wsgi_application

    petition_id = _prepare()
    app = get_wsgi_application()
    paths = {"bare": "/bench/bare-sign/", "sign": f"/api/v1/petitions/{SLUG}/signatures/"}
    run = uuid.uuid4().hex[:8]
    for name, path in paths.items():
        _run(app, path, 200, f"w{name}{run}")  # warm-up: imports, connections, caches
    if profile:
        profiler = cProfile.Profile(time.process_time)  # CPU, not wall: waits on the database are not ours
        profiler.enable()
        _run(app, paths[profile], n, f"p{run}")
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(60)
        stats.sort_stats("tottime").print_stats(30)
    else:
        rounds = 10
        print(
            f"In-process CPU per request over {n} requests each (WSGI handler, no HTTP server, one at a time, "
            f"{rounds} alternating rounds)"
        )
        totals = {name: [0.0, 0.0, {}] for name in paths}
        for k in range(rounds):
            for name, path in paths.items() if k % 2 == 0 else reversed(paths.items()):
                cpu, wall, statuses = _run(app, path, n // rounds, f"{name}{run}r{k}")
                totals[name][0] += cpu / rounds
                totals[name][1] += wall / rounds
                for code, count in statuses.items():
                    totals[name][2][code] = totals[name][2].get(code, 0) + count
        for name, (cpu, wall, statuses) in totals.items():
            print(f"  {name:5s} cpu {cpu:6.3f} ms/request  wall {wall:6.3f} ms/request  statuses {statuses}")
        print(f"  cpu ratio sign/bare: {totals['sign'][0] / totals['bare'][0]:.2f}")
    _reset(petition_id)
    from campaign.celery import app as celery_app

    celery_app.control.purge()


if __name__ == "__main__":
    main()
