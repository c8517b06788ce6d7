"""The organizer dashboard: server-rendered, usable with JavaScript off; JS only refreshes and sorts."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from infra.csvexport import csv_response
from organizing import roles
from organizing.models import Campaign
from reporting import charts
from reporting.congress_status import congress_status
from reporting.metrics import Period, cached_metrics, period_for


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
    context = {"campaigns": campaigns, "congress": congress_status(campaigns=campaigns)}
    return render(request, "reporting/dashboard/list.html", context)


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
    template = "reporting/dashboard/_live.html" if request.GET.get("fragment") else "reporting/dashboard/detail.html"
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
