"""Campaign metrics, read from the rollups (campaign/rollups.py). No request touches the action tables
except the petitions' exact counters for the goal."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, F, Q, Sum, Value, When
from django.db.models.functions import TruncDay
from django.utils import timezone

from congress.models import Legislator
from congress.selectors import NoCongressData, current_snapshot
from organizing.models import Campaign
from outreach.models import CallFeedback, CallLeg, Letter
from petitions.selectors import signature_counts_many
from reporting.models import MetricRefresh, MetricRollup

HOUR, DAY = MetricRollup.Grain.HOUR, MetricRollup.Grain.DAY
UTC = dt.UTC
# Taken from the models, so a new status is counted without touching this module.
LETTER_STATUSES = tuple(Letter.Status.values)
LEG_STATUSES = tuple(CallLeg.Status.values)
REPORTED = tuple(CallFeedback.Outcome.values)


@dataclass(frozen=True)
class Period:
    since: dt.datetime  # inclusive, on an hour boundary
    until: dt.datetime  # exclusive, on an hour boundary
    interval: str  # "hour" or "day"

    @property
    def day_since(self) -> dt.datetime:
        return self.since.replace(hour=0)

    @property
    def day_until(self) -> dt.datetime:
        end = self.until.replace(hour=0)
        return end if end == self.until else end + dt.timedelta(days=1)


def period_for(*, since: dt.datetime | None, until: dt.datetime | None, interval: str, campaign: Campaign) -> Period:
    """Hour-aligned bounds; the defaults run from the campaign's start (or its first action) to now."""
    now = timezone.now().astimezone(UTC)
    end = (until or now).astimezone(UTC)
    if end.minute or end.second or end.microsecond:
        end = end.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    start_at = since or campaign.starts_at
    if start_at is None:
        first = (
            MetricRollup.objects.filter(campaign=campaign, grain=HOUR)
            .order_by("bucket")
            .values_list("bucket", flat=True)
            .first()
        )
        start_at = min(first, campaign.created_at) if first else campaign.created_at
    start = start_at.astimezone(UTC)
    start = start.replace(minute=0, second=0, microsecond=0)
    return Period(since=start, until=end, interval=interval)


def _last_refresh() -> dt.datetime | None:
    return MetricRefresh.objects.order_by("-refreshed_at").values_list("refreshed_at", flat=True).first()


def cached_metrics(*, campaign: Campaign, period: Period) -> dict:
    """Metrics answers are shared for a few seconds between organizers watching the same campaign; the
    key carries the rollups' refresh time, so a refresh is seen at once."""
    refreshed = _last_refresh()
    stamp = refreshed.timestamp() if refreshed else 0
    key = f"metrics:{campaign.pk}:{period.since:%Y%m%d%H}:{period.until:%Y%m%d%H}:{period.interval}:{stamp}"
    if settings.METRICS_CACHE_SECONDS <= 0:
        return campaign_metrics(campaign=campaign, period=period, refreshed=refreshed)
    answer = cache.get_or_set(
        key,
        lambda: campaign_metrics(campaign=campaign, period=period, refreshed=refreshed),
        settings.METRICS_CACHE_SECONDS,
    )
    assert answer is not None  # the cached answer or the one just computed, a dict either way
    return answer


def campaign_metrics(*, campaign: Campaign, period: Period, refreshed: dt.datetime | None = None) -> dict:
    """The metrics answer; `refreshed` is the rollups' last refresh when the caller already read it."""
    rollups = MetricRollup.objects.filter(campaign=campaign)
    hourly = rollups.filter(grain=HOUR, bucket__gte=period.since, bucket__lt=period.until)
    daily = rollups.filter(grain=DAY, bucket__gte=period.day_since, bucket__lt=period.day_until)

    totals_by_kind = {row["kind"]: row["v"] for row in hourly.values("kind").annotate(v=Sum("value"))}
    t = lambda kind: int(totals_by_kind.get(kind, 0))  # noqa: E731

    signatures_total = t("signatures")
    confirmed = t("signatures_confirmed")
    letters = {status: t(f"letters:{status}") for status in LETTER_STATUSES}
    legs_measured = {status: t(f"call_legs:{status}") for status in LEG_STATUSES}
    totals = {
        "signatures": {"total": signatures_total, "confirmed": confirmed, "pending": signatures_total - confirmed},
        "contacts": {"new": t("contacts_new")},
        "calls": {
            "sessions": t("call_sessions"),
            "connected_legs": legs_measured["completed"],
            "legs_by_outcome": {
                "measured": {k: v for k, v in legs_measured.items() if v},
                "reported": {k: t(f"call_reported:{k}") for k in REPORTED},
            },
            "talk_minutes": round(t("call_talk_seconds") / 60, 1),
        },
        "letters": {
            "total": sum(letters.values()),
            "queued": letters["queued"] + letters["sending"],
            "sent": letters["sent"],
            "in_outbox": letters["in_outbox"],
            "failed": letters["failed"],
            "needs_review": letters["held"],
            "rejected": letters["rejected"],
            "needs_web_form": letters["needs_web_form"],
        },
    }

    # Summed per bucket in SQL: an all-time daily series would otherwise bring back every hour row.
    step = dt.timedelta(hours=1) if period.interval == HOUR else dt.timedelta(days=1)
    first = period.since if period.interval == HOUR else period.day_since
    buckets: dict[dt.datetime, dict] = {}
    moment = first
    while moment < period.until:
        buckets[moment] = {"signatures": 0, "calls": 0, "letters": 0}
        moment += step
    series_rows = (
        hourly.filter(Q(kind__in=["signatures", "call_sessions"]) | Q(kind__startswith="letters:"))
        .annotate(
            b=TruncDay("bucket", tzinfo=UTC) if period.interval == DAY else F("bucket"),
            k=Case(
                When(kind="signatures", then=Value("signatures")),
                When(kind="call_sessions", then=Value("calls")),
                default=Value("letters"),
            ),
        )
        .values("b", "k")
        .annotate(v=Sum("value"))
    )
    for row in series_rows:
        bucket = row["b"].astimezone(UTC)
        if bucket in buckets:
            buckets[bucket][row["k"]] += row["v"]
    series = [{"start": b.isoformat().replace("+00:00", "Z"), **v} for b, v in buckets.items()]

    geo_kinds = {"signatures": "signatures", "call_sessions": "calls", "letters": "letters"}
    geo = daily.filter(kind__in=list(geo_kinds)).values("kind", "state", "district").annotate(v=Sum("value"))
    by_state: dict[str, dict] = defaultdict(lambda: {"signatures": 0, "calls": 0, "letters": 0})
    by_district: dict[tuple, dict] = defaultdict(lambda: {"signatures": 0, "calls": 0, "letters": 0})
    for geo_row in geo:
        name = geo_kinds[geo_row["kind"]]
        state = geo_row["state"] or ""
        by_state[state][name] += geo_row["v"]
        if state and geo_row["district"] is not None:
            by_district[(state, geo_row["district"])][name] += geo_row["v"]

    by_legislator = _by_legislator(daily, by_state, by_district)

    sources: dict[str, dict] = defaultdict(lambda: {"signatures": 0, "calls": 0})
    for source_row in (
        daily.filter(kind__in=["signature_sources", "call_sources"]).values("kind", "source").annotate(v=Sum("value"))
    ):
        kind = "signatures" if source_row["kind"] == "signature_sources" else "calls"
        sources[source_row["source"] or "(none)"][kind] += source_row["v"]
    referrals = int(daily.filter(kind="signature_referrals").aggregate(v=Sum("value"))["v"] or 0)

    goal = _goal(campaign)
    refreshed = refreshed or _last_refresh()
    return {
        "campaign": campaign.slug,
        "since": period.since.isoformat().replace("+00:00", "Z"),
        "until": period.until.isoformat().replace("+00:00", "Z"),
        "interval": period.interval,
        "as_of": refreshed.isoformat().replace("+00:00", "Z") if refreshed else None,
        "totals": totals,
        "series": series,
        "by_state": [
            {"state": s or None, **v} for s, v in sorted(by_state.items(), key=lambda kv: -kv[1]["signatures"])
        ],
        "by_district": [
            {"state": s, "district": d, **v}
            for (s, d), v in sorted(by_district.items(), key=lambda kv: (-kv[1]["signatures"], kv[0]))
        ],
        "by_legislator": by_legislator,
        "sources": [
            {"source": s, **v}
            for s, v in sorted(sources.items(), key=lambda kv: -(kv[1]["signatures"] + kv[1]["calls"]))
        ],
        "referrals": referrals,
        "goal": goal,
    }


def _by_legislator(daily, by_state, by_district) -> list[dict]:
    """Constituent signatures per member: senators count their state's, House members their district's.
    Connected calls and delivered letters are counted per office reached."""
    try:
        snap = current_snapshot()
    except NoCongressData:
        snap = None  # before the first data load: no seats to attribute signatures to
    members: dict[str, Legislator] = {}
    if snap is not None:
        members.update({leg.bioguide_id: leg for legs in snap.senators.values() for leg in legs})
        members.update({leg.bioguide_id: leg for leg in snap.house.values()})
    offices = list(
        daily.filter(kind__in=["call_connected", "letters_sent"]).values("kind", "bioguide_id").annotate(v=Sum("value"))
    )
    # Offices reached earlier may belong to members no longer in office.
    missing = {row["bioguide_id"] for row in offices} - set(members)
    if missing:
        members.update(Legislator.objects.in_bulk(list(missing)))
    people: dict[str, dict] = {}

    def entry(leg) -> dict:
        return people.setdefault(
            leg.bioguide_id,
            {
                "bioguide_id": leg.bioguide_id,
                "name": leg.display_name,
                "title": leg.title,
                "state": leg.state,
                "district": leg.district,
                "signatures": 0,
                "calls_connected": 0,
                "letters_sent": 0,
            },
        )

    if snap is not None:
        for state, counts in by_state.items():
            for senator in snap.senators.get(state, []):
                entry(senator)["signatures"] += counts["signatures"]
        for (state, district), counts in by_district.items():
            member = snap.house.get((state, district))
            if member is not None:
                entry(member)["signatures"] += counts["signatures"]
    for row in offices:
        leg = members.get(row["bioguide_id"])
        if leg is not None:
            entry(leg)["calls_connected" if row["kind"] == "call_connected" else "letters_sent"] += row["v"]
    ranked = sorted(people.values(), key=lambda p: -(p["signatures"] + p["calls_connected"] + p["letters_sent"]))
    return [p for p in ranked if p["signatures"] or p["calls_connected"] or p["letters_sent"]]


def _goal(campaign: Campaign) -> dict:
    """Goal progress from the petitions' exact counters (not the rollups): the figure supporters see."""
    petitions = list(campaign.petitions.exclude(status="draft").only("id", "goal"))
    counts = signature_counts_many(petition_ids=[p.id for p in petitions])
    goal = sum(p.goal for p in petitions)
    count = sum(counts[p.id].public for p in petitions)
    return {"goal": goal, "count": count, "percent": round(100 * count / goal, 1) if goal else None}
