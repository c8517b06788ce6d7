"""Metrics requests at scale: 1,000,000 signatures, 200,000 calls and 200,000 letters on PostgreSQL.

    DATABASE_URL=postgres://... make bench-metrics

Loads the data once (seed_load) into the campaign `bench-metrics`, rebuilds the rollups, then times
each metrics request over HTTP (gunicorn) warm, with the shared answer cache off so every request
computes. The baseline is the same figures counted straight from the action tables, timed in the same
run. It also EXPLAINs every query a metrics request makes and reports any sequential scan.

Goal: every metrics request under 300 ms warm; no full scans.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time

import requests

from bench.common import PYTHON, ROOT, bench_env, gunicorn, manage

PORT = 18090
SLUG = "bench-metrics"
SIGNATURES = int(os.environ.get("BENCH_SIGNATURES", 1_000_000))
CALLS = int(os.environ.get("BENCH_CALLS", 200_000))
LETTERS = int(os.environ.get("BENCH_LETTERS", 200_000))
ROUNDS = 7
# The tables that grow with supporters' actions; a scan of any of them is what must never happen.
LARGE_TABLES = (
    "petitions_signature", "contacts_contact", "outreach_callsession", "outreach_callleg", "outreach_callfeedback",
    "outreach_letter", "outreach_lettersubmission", "outreach_letterevent", "campaign_metricrollup",
)  # fmt: skip


def _django(env: dict):
    os.environ.update({k: v for k, v in env.items() if k in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY")})
    import django

    django.setup()


def _prepare() -> tuple[str, int]:
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from organizing.models import Campaign
    from outreach.models import CallSession, Letter
    from petitions.models import Signature

    if connection.vendor != "postgresql":
        raise SystemExit("bench-metrics needs PostgreSQL: set DATABASE_URL=postgres://...")
    campaign, _ = Campaign.objects.get_or_create(slug=SLUG, defaults={"name": "Benchmark", "status": "active"})
    # Top each kind up to its target: a run cut short, or one with larger targets, adds only what is missing.
    missing = {
        "signatures": max(0, SIGNATURES - Signature.objects.filter(petition__campaign=campaign).count()),
        "calls": max(0, CALLS - CallSession.objects.filter(campaign=campaign).count()),
        "letters": max(0, LETTERS - Letter.objects.filter(action__campaign=campaign).count()),
    }
    if any(missing.values()):
        print(f"loading {missing} (once; kept for later runs)")
        began = time.monotonic()
        subprocess.run(
            [PYTHON, "manage.py", "seed_load", "--campaign", SLUG, "--signatures", str(missing["signatures"]),
             "--calls", str(missing["calls"]), "--letters", str(missing["letters"])],
            cwd=ROOT, env=dict(os.environ), check=True,
        )  # fmt: skip
        print(f"seed_load took {time.monotonic() - began:.0f}s")
    with connection.cursor() as cursor:
        # What autovacuum does soon after a bulk load: statistics, and the visibility map that lets
        # PostgreSQL answer the rollup queries from the covering index alone.
        cursor.execute("VACUUM ANALYZE campaign_metricrollup")
    user, _ = User.objects.get_or_create(username="bench-admin")
    user.groups.add(Group.objects.get(name="admin"))
    token, _ = Token.objects.get_or_create(user=user)
    return token.key, campaign.pk


def _seq_scans(campaign_pk: int) -> list[str]:
    """EXPLAIN every query one metrics computation runs; report sequential scans of real tables."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from organizing.models import Campaign
    from reporting.metrics import campaign_metrics, period_for

    campaign = Campaign.objects.get(pk=campaign_pk)
    with CaptureQueriesContext(connection) as captured:
        campaign_metrics(
            campaign=campaign, period=period_for(since=None, until=None, interval="day", campaign=campaign)
        )
    found = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            for line in plan.splitlines():
                if any(f"Seq Scan on {table} " in line for table in LARGE_TABLES):
                    found.append(line.strip().split("  (")[0])
    return found


def _baseline(campaign_pk: int) -> float:
    """The same headline figures counted straight from the action tables (what rollups replace)."""
    from django.db.models import Count

    from outreach.models import CallSession, Letter
    from petitions.models import Signature

    began = time.monotonic()
    sigs = Signature.objects.filter(petition__campaign_id=campaign_pk)
    list(sigs.values("status").annotate(n=Count("id")))
    list(sigs.values("district_state", "district").annotate(n=Count("id")))
    list(sigs.values("source_code").annotate(n=Count("id")))
    list(CallSession.objects.filter(campaign_id=campaign_pk).values("district_state").annotate(n=Count("id")))
    list(Letter.objects.filter(action__campaign_id=campaign_pk).values("status").annotate(n=Count("id")))
    return (time.monotonic() - began) * 1000


def main() -> None:
    env = bench_env(METRICS_CACHE_SECONDS="0")
    manage("migrate", "--no-input", env=env)
    manage("sync_congress", "--if-empty", env=env)
    _django(env)
    token, campaign_pk = _prepare()
    queries = {
        "all time, daily": {},
        "last 30 days, daily": {"since": _days_ago(30)},
        "last 7 days, daily": {"since": _days_ago(7)},
        "last 2 days, hourly": {"since": _days_ago(2), "interval": "hour"},
    }
    headers = {"Authorization": f"Token {token}"}
    timings: dict[str, list[float]] = {}
    with gunicorn(PORT, env, workers=2) as base:
        session = requests.Session()
        for name, params in queries.items():
            url = f"{base}/api/v1/campaigns/{SLUG}/metrics/"
            # Warm: each gunicorn worker builds its Congress snapshot on its first request.
            for _ in range(4):
                session.get(url, params=params, headers=headers, timeout=60).raise_for_status()
            timings[name] = []
            for _ in range(ROUNDS):
                began = time.monotonic()
                response = session.get(url, params=params, headers=headers, timeout=60)
                timings[name].append((time.monotonic() - began) * 1000)
                response.raise_for_status()
        body = response.json()
    baseline = [_baseline(campaign_pk) for _ in range(3)]
    scans = _seq_scans(campaign_pk)
    print(f"Metrics benchmark: {SIGNATURES:,} signatures, {CALLS:,} calls, {LETTERS:,} letters; PostgreSQL;")
    print(f"  gunicorn 2 workers; answer cache off; median and max of {ROUNDS} warm requests each")
    worst = 0.0
    for name, values in timings.items():
        worst = max(worst, max(values))
        print(f"  {name:22s} median {statistics.median(values):7.1f} ms   max {max(values):7.1f} ms")
    print(f"  totals: {body['totals']['signatures']['total']:,} signatures in the last 2 days' answer")
    base = statistics.median(baseline)
    print(f"  baseline (the same headline counts straight from the tables, in-process): median {base:.0f} ms")
    all_time = statistics.median(timings["all time, daily"])
    print(f"  ratio baseline / all-time metrics request: {base / all_time:.1f}x faster with rollups")
    print(f"  sequential scans of action or rollup tables in the metrics queries: {scans or 'none'}")
    print(f"  goal: every request < 300 ms warm: {'met' if worst < 300 else 'NOT met'} (worst {worst:.0f} ms)")


def _days_ago(days: int) -> str:
    import datetime as dt

    return (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).date().isoformat()


if __name__ == "__main__":
    main()
