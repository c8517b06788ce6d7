from __future__ import annotations

import datetime as dt
import time

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from campaign import charts, roles
from campaign.celery import app as celery_app
from campaign.csvexport import csv_response
from campaign.metrics import Period, cached_metrics, period_for
from campaign.models import Campaign


def _check(fn) -> dict:
    began = time.monotonic()
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"; the type is the detail
        return {"ok": False, "error": type(exc).__name__, "ms": round((time.monotonic() - began) * 1000, 1)}
    return {"ok": True, "ms": round((time.monotonic() - began) * 1000, 1)}


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache():
    cache.set("healthz", "1", 10)
    if cache.get("healthz") != "1":
        raise RuntimeError("cache did not return what was written")


def _broker():
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _check(_database), "cache": _check(_cache), "broker": _check(_broker)}
    healthy = all(c["ok"] for c in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )


# --- Organizer dashboard: server-rendered, usable with JavaScript off; JS only refreshes and sorts ---


def _campaign_for(request, slug: str) -> Campaign:
    campaign = get_object_or_404(Campaign, slug=slug)
    if not roles.can_view(request.user, campaign):
        raise PermissionDenied
    return campaign


def _date(value: str | None, *, end: bool = False) -> dt.datetime | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    moment = dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
    return moment + dt.timedelta(days=1) if end else moment


def _period(request, campaign: Campaign) -> Period:
    since = _date(request.GET.get("since"))
    until = _date(request.GET.get("until"), end=True)
    if since and until and until <= since:
        since = None
    return period_for(since=since, until=until, interval="day", campaign=campaign)


@login_required
@require_GET
def campaign_list(request):
    campaigns = roles.campaigns_visible(request.user).order_by("name")
    return render(request, "campaign/dashboard/list.html", {"campaigns": campaigns})


def _charts(metrics: dict) -> dict:
    series = metrics["series"]
    labels = [row["start"][5:10] for row in series]
    signatures = charts.Series("Signatures", list(zip(labels, [row["signatures"] for row in series], strict=True)))
    calls = charts.Series("Calls", list(zip(labels, [row["calls"] for row in series], strict=True)))
    letters = charts.Series("Letters", list(zip(labels, [row["letters"] for row in series], strict=True)))
    calls_totals = metrics["totals"]["calls"]
    outcome_bars = [(f"measured: {k}", v) for k, v in calls_totals["legs_by_outcome"]["measured"].items()]
    outcome_bars += [(f"reported: {k}", v) for k, v in calls_totals["legs_by_outcome"]["reported"].items() if v]
    return {
        "signatures": charts.line_chart([signatures], title="Signatures per day"),
        "actions": charts.line_chart([calls, letters], title="Calls and letters per day"),
        "outcomes": charts.bar_chart(outcome_bars, title="Call outcomes"),
    }


@login_required
@require_GET
def campaign_dashboard(request, slug: str):
    campaign = _campaign_for(request, slug)
    period = _period(request, campaign)
    metrics = cached_metrics(campaign=campaign, period=period)
    context = {
        "campaign": campaign,
        "m": metrics,
        "charts": _charts(metrics),
        "since": request.GET.get("since", ""),
        "until": request.GET.get("until", ""),
        "query": request.GET.urlencode(),
        "now": timezone.now(),
        "goal_percent": min(100, metrics["goal"]["percent"] or 0),
    }
    template = "campaign/dashboard/_live.html" if request.GET.get("fragment") else "campaign/dashboard/detail.html"
    return render(request, template, context)


TABLES = {
    "states": (["state", "signatures", "calls", "letters"], lambda m: m["by_state"]),
    "districts": (["state", "district", "signatures", "calls", "letters"], lambda m: m["by_district"]),
    "targets": (
        ["bioguide_id", "name", "title", "state", "district", "signatures", "calls_connected", "letters_sent"],
        lambda m: m["by_legislator"],
    ),
    "sources": (["source", "signatures", "calls"], lambda m: m["sources"]),
    "series": (["start", "signatures", "calls", "letters"], lambda m: m["series"]),
}


@login_required
@require_GET
def campaign_table_csv(request, slug: str, table: str):
    if table not in TABLES:
        raise Http404
    campaign = _campaign_for(request, slug)
    metrics = cached_metrics(campaign=campaign, period=_period(request, campaign))
    columns, rows = TABLES[table]
    lines = [columns, *([row.get(c) for c in columns] for row in rows(metrics))]
    return csv_response(lines, filename=f"{campaign.slug}-{table}.csv")


# --- Public home page ---------------------------------------------------------------------------------
@require_GET
def home(request):
    """What a visitor can do now: the active campaigns' open petitions, call line and letters."""
    campaigns = list(
        Campaign.objects.filter(status=Campaign.Status.ACTIVE)
        .prefetch_related("petitions", "letter_actions", "call_actions")
        .order_by("name")
    )
    for c in campaigns:
        c.open_petitions = [p for p in c.petitions.all() if p.status == "open"]
        c.open_letters = [a for a in c.letter_actions.all() if a.is_active]
        c.has_calls = any(a.is_active for a in c.call_actions.all())
    return render(request, "campaign/home.html", {"campaigns": campaigns})
