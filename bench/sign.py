"""Signatures per second over HTTP (gunicorn + PostgreSQL): the full sign path against a bare Django view
doing one INSERT ... ON CONFLICT DO NOTHING, at the same concurrency, in the same run.

    DATABASE_URL=postgres://... REDIS_URL=redis://... make bench-sign

Every request signs with a new email (wrk + Lua). Afterwards the signature rows must equal the 2xx
answers, and the petition's sharded count must equal the rows: nothing lost, nothing doubled.
Goal: >= 0.7x the bare view and p99 < 100 ms at 64 connections.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid

from bench.common import ROOT, bench_env, gunicorn, manage, require, wrk

PORT = int(os.environ.get("BENCH_SIGN_PORT", "18100"))
SECONDS = int(os.environ.get("BENCH_SIGN_SECONDS", "15"))
CONNECTIONS = int(os.environ.get("BENCH_SIGN_CONNECTIONS", "64"))
WORKERS = int(os.environ.get("BENCH_SIGN_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_SIGN_THREADS", "4"))
SLUG = "bench-sign"


def _script(path: str, run: str) -> str:
    """A wrk script posting a form with a unique email per request (per thread counter + run id)."""
    lua = f"""
local counter = 0
local tid = 0
local threads = {{}}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  tid = tonumber(wrk.thread:get("tid")) or 0
end
request = function()
  counter = counter + 1
  local body = "email=s{run}-" .. tid .. "-" .. counter .. "%40bench.example.org&postal_code=05401&given_name=Ada&family_name=Bench"
  return wrk.format("POST", "{path}", {{["Content-Type"] = "application/x-www-form-urlencoded"}}, body)
end
"""
    handle = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, dir=ROOT / "var")  # noqa: SIM115
    handle.write(lua)
    handle.close()
    return handle.name


def _django(env: dict):
    os.environ.update({k: v for k, v in env.items() if k in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")})
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.sign_settings"
    import django

    django.setup()


def _prepare() -> int:
    from django.db import connection

    from campaign.models import Campaign
    from contacts.models import Contact
    from petitions.models import Petition, Signature

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_sign_baseline (id bigserial PRIMARY KEY, email varchar(254) NOT NULL "
            "UNIQUE, postal_code varchar(10) NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
        )
    campaign, _ = Campaign.objects.get_or_create(slug=SLUG, defaults={"name": "Benchmark", "status": "active"})
    petition, _ = Petition.objects.update_or_create(
        slug=SLUG,
        defaults={
            "campaign": campaign,
            "title": "Benchmark petition",
            "petition_text": "Benchmark.",
            "status": Petition.Status.OPEN,
            "confirmation_required": False,
        },
    )
    _reset(petition.pk)
    Contact.objects.filter(email__endswith="@bench.example.org").exclude(signatures__isnull=False).delete()
    assert not Signature.objects.filter(petition=petition).exists()
    return petition.pk


def _reset(petition_id: int) -> None:
    from django.db import connection

    from contacts.models import Contact
    from petitions.models import Signature, SignatureCountShard

    Signature.objects.filter(petition_id=petition_id).delete()
    SignatureCountShard.objects.filter(petition_id=petition_id).delete()
    Contact.objects.filter(email__endswith="@bench.example.org").delete()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE bench_sign_baseline")


def _rows(petition_id: int) -> tuple[int, int, int]:
    from django.core.cache import cache
    from django.db import connection

    from petitions.models import Signature
    from petitions.selectors import signature_counts

    cache.clear()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_sign_baseline")
        baseline = cursor.fetchone()[0]
    signatures = Signature.objects.filter(petition_id=petition_id).count()
    return baseline, signatures, signature_counts(petition_id=petition_id).confirmed


def _purge_queued_tasks() -> int:
    # The bench runs no worker: the thank-you emails it enqueued would otherwise wait in the broker.
    from campaign.celery import app

    return app.control.purge() or 0


def main() -> None:
    require("wrk", "install it with `apt-get install wrk`")
    db = os.environ.get("DATABASE_URL", "")
    if not db.startswith(("postgres://", "postgresql://")):
        sys.exit("bench-sign needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/dbname")
    if not os.environ.get("REDIS_URL"):
        print("note: REDIS_URL is not set; cache and broker fall back to the embedded default", file=sys.stderr)
    env = bench_env(DJANGO_SETTINGS_MODULE="bench.sign_settings", PUBLIC_BASE_URL=f"http://127.0.0.1:{PORT}")
    env["DJANGO_SETTINGS_MODULE"] = "bench.sign_settings"
    manage("migrate", "--no-input", env=env)
    manage("sync_congress", "--if-empty", env=env)
    _django(env)
    petition_id = _prepare()
    run = uuid.uuid4().hex[:8]
    scripts = {
        "bare": _script("/bench/bare-sign/", run),
        "sign": _script(f"/api/v1/petitions/{SLUG}/signatures/", run),
    }
    results: dict[str, dict] = {}
    with gunicorn(PORT, env, workers=WORKERS, threads=THREADS) as base:
        # Warm up both paths (connections, snapshots, caches), then start from empty tables.
        wrk(base, seconds=3, connections=CONNECTIONS, script=_script("/bench/bare-sign/", "w" + run))
        wrk(
            base, seconds=3, connections=CONNECTIONS, script=_script(f"/api/v1/petitions/{SLUG}/signatures/", "w" + run)
        )
        _reset(petition_id)
        time.sleep(1)
        for name in ("bare", "sign"):
            results[name] = wrk(base, seconds=SECONDS, connections=CONNECTIONS, threads=2, script=scripts[name])
        time.sleep(0.5)
    baseline_rows, signature_rows, shown = _rows(petition_id)
    purged = _purge_queued_tasks()

    print(
        f"Sign benchmark: gunicorn {WORKERS} gthread workers x {THREADS} threads, PostgreSQL, "
        f"wrk {CONNECTIONS} connections, {SECONDS}s each, a new email per request"
    )
    for name, label in (("bare", "bare INSERT"), ("sign", "full sign")):
        r = results[name]
        print(
            f"  {label:12s} {r['rps']:8.0f} signatures/s  p50 {r['p50']:6.2f} ms  p99 {r['p99']:6.2f} ms  "
            f"requests {r['requests']}  non-2xx {r['non2xx']}  {r['socket_errors']}"
        )
    ratio = results["sign"]["rps"] / results["bare"]["rps"]
    print(f"  ratio sign/bare: {ratio:.2f} (goal >= 0.70); sign p99 {results['sign']['p99']:.1f} ms (goal < 100)")
    ok_bare = results["bare"]["requests"] - results["bare"]["non2xx"]
    ok_sign = results["sign"]["requests"] - results["sign"]["non2xx"]
    print(f"  bare:  rows {baseline_rows} vs 2xx {ok_bare}")
    print(f"  sign:  signature rows {signature_rows} vs 2xx {ok_sign}; count shown {shown}")
    print(f"  purged {purged} queued tasks (no worker runs during the benchmark)")
    failures = []
    if signature_rows != ok_sign:
        failures.append(f"signature rows ({signature_rows}) != 2xx answers ({ok_sign})")
    if shown != signature_rows:
        failures.append(f"shown count ({shown}) != signature rows ({signature_rows})")
    if baseline_rows != ok_bare:
        failures.append(f"baseline rows ({baseline_rows}) != 2xx answers ({ok_bare})")
    if failures:
        sys.exit("FAIL: " + "; ".join(failures))
    print("  check: rows == 2xx for both, and the count equals the rows")


if __name__ == "__main__":
    main()
