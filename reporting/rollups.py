"""Maintaining the metric rollups (writes). Reads are in campaign/metrics.py; the design is in docs/metrics.md.

A refresh recomputes every bucket from the start of the UTC day of `since` onward, straight from the
action rows (index range scans on their creation time), inside one transaction: readers see the old
rollups or the new ones, never a half-written mix. Beat runs it every ROLLUP_REFRESH_SECONDS for today,
and nightly for the last ROLLUP_RECHECK_DAYS days, so statuses that change later (a letter sent after a
retry, a signature confirmed the next day) are caught up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncDay, TruncHour
from django.utils import timezone

from contacts.models import Contact
from infra.dbutil import transaction_lock
from organizing.models import Campaign
from outreach.models import CallFeedback, CallLeg, CallSession, Letter
from petitions.models import Signature
from reporting.models import MetricRefresh, MetricRollup

HOUR, DAY = MetricRollup.Grain.HOUR, MetricRollup.Grain.DAY
ROLLUP_LOCK = 0x6D6574726963  # any constant shared by every refresh
UTC = dt.UTC


def day_start(moment: dt.datetime) -> dt.datetime:
    moment = moment.astimezone(UTC)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _rows(
    campaign_field: str,
    grain: str,
    kind: str | Callable[[Mapping[str, Any]], str],
    queryset: Iterable[Mapping[str, Any]],
    value: str = "n",
    **dims: str,
) -> Iterable[MetricRollup]:
    for row in queryset:
        number = row[value]
        if not number:
            continue
        yield MetricRollup(
            campaign_id=row[campaign_field],
            grain=grain,
            bucket=row["b"],
            kind=kind(row) if callable(kind) else kind,
            value=number,
            **{dim: (row[col] if row[col] is not None or dim == "district" else "") for dim, col in dims.items()},
        )


def _signature_rows(start: dt.datetime) -> Iterable[MetricRollup]:
    base = Signature.objects.filter(created_at__gte=start).annotate(c=F("petition__campaign_id"))
    hourly = base.annotate(b=TruncHour("created_at", tzinfo=UTC)).values("c", "b")
    yield from _rows("c", HOUR, "signatures", hourly.annotate(n=Count("id")))
    yield from _rows(
        "c", HOUR, "signatures_confirmed", hourly.annotate(n=Count("id", filter=Q(status=Signature.Status.CONFIRMED)))
    )
    daily = base.annotate(b=TruncDay("created_at", tzinfo=UTC))
    geo = daily.values("c", "b", "district_state", "district").annotate(n=Count("id"))
    yield from _rows("c", DAY, "signatures", geo, state="district_state", district="district")
    sources = daily.values("c", "b", "source_code").annotate(n=Count("id"))
    yield from _rows("c", DAY, "signature_sources", sources, source="source_code")
    referred = daily.filter(referrer__isnull=False).values("c", "b").annotate(n=Count("id"))
    yield from _rows("c", DAY, "signature_referrals", referred)


def _contact_rows(start: dt.datetime) -> Iterable[MetricRollup]:
    """New contacts: created in the bucket and having acted in the campaign (signed, called or written)."""
    for campaign_id in Campaign.objects.values_list("id", flat=True):
        acted = (
            Exists(Signature.objects.filter(contact=OuterRef("pk"), petition__campaign_id=campaign_id))
            | Exists(CallSession.objects.filter(contact=OuterRef("pk"), campaign_id=campaign_id))
            | Exists(Letter.objects.filter(contact=OuterRef("pk"), action__campaign_id=campaign_id))
        )
        hourly = (
            Contact.objects.filter(created_at__gte=start)
            .filter(acted)
            .annotate(b=TruncHour("created_at", tzinfo=UTC))
            .values("b")
            .annotate(n=Count("id"))
        )
        for row in hourly:
            yield MetricRollup(
                campaign_id=campaign_id, grain=HOUR, bucket=row["b"], kind="contacts_new", value=row["n"]
            )


def _call_rows(start: dt.datetime) -> Iterable[MetricRollup]:
    sessions = CallSession.objects.filter(created_at__gte=start)
    hourly = sessions.annotate(b=TruncHour("created_at", tzinfo=UTC)).values("campaign_id", "b")
    yield from _rows("campaign_id", HOUR, "call_sessions", hourly.annotate(n=Count("id")))
    daily = sessions.annotate(b=TruncDay("created_at", tzinfo=UTC))
    geo = daily.values("campaign_id", "b", "district_state", "district").annotate(n=Count("id"))
    yield from _rows("campaign_id", DAY, "call_sessions", geo, state="district_state", district="district")
    sources = daily.values("campaign_id", "b", "source").annotate(n=Count("id"))
    yield from _rows("campaign_id", DAY, "call_sources", sources, source="source")

    # Legs and feedback are counted in the hour their session started, so a session's numbers stay together.
    legs = CallLeg.objects.filter(session__created_at__gte=start).annotate(
        c=F("session__campaign_id"), b=TruncHour("session__created_at", tzinfo=UTC)
    )
    by_status = legs.values("c", "b", "status").annotate(n=Count("id"))
    yield from _rows("c", HOUR, lambda r: f"call_legs:{r['status']}", by_status)
    connected = legs.filter(status=CallLeg.Status.COMPLETED).values("c", "b")
    yield from _rows("c", HOUR, "call_talk_seconds", connected.annotate(n=Sum("duration")))
    feedback = (
        CallFeedback.objects.filter(session__created_at__gte=start)
        .annotate(c=F("session__campaign_id"), b=TruncHour("session__created_at", tzinfo=UTC))
        .values("c", "b", "outcome")
        .annotate(n=Count("id"))
    )
    yield from _rows("c", HOUR, lambda r: f"call_reported:{r['outcome']}", feedback)
    per_office = (
        CallLeg.objects.filter(session__created_at__gte=start, status=CallLeg.Status.COMPLETED)
        .exclude(legislator__isnull=True)
        .annotate(c=F("session__campaign_id"), b=TruncDay("session__created_at", tzinfo=UTC))
        .values("c", "b", "legislator_id")
        .annotate(n=Count("id"))
    )
    yield from _rows("c", DAY, "call_connected", per_office, bioguide_id="legislator_id")


def _letter_rows(start: dt.datetime) -> Iterable[MetricRollup]:
    # Constituent letters only: a petition delivery's letter is counted with its petition.
    letters = Letter.objects.filter(created_at__gte=start, action__isnull=False).annotate(c=F("action__campaign_id"))
    hourly = letters.annotate(b=TruncHour("created_at", tzinfo=UTC)).values("c", "b", "status")
    yield from _rows("c", HOUR, lambda r: f"letters:{r['status']}", hourly.annotate(n=Count("id")))
    daily = letters.annotate(b=TruncDay("created_at", tzinfo=UTC))
    geo = daily.values("c", "b", "submission__district_state", "submission__district").annotate(n=Count("id"))
    yield from _rows("c", DAY, "letters", geo, state="submission__district_state", district="submission__district")
    sent = daily.filter(status=Letter.Status.SENT).values("c", "b", "bioguide_id").annotate(n=Count("id"))
    yield from _rows("c", DAY, "letters_sent", sent, bioguide_id="bioguide_id")


def rollups_refresh(*, since: dt.datetime | None = None) -> MetricRefresh:
    """Recompute every rollup bucket from the start of `since`'s UTC day onward.

    The default reaches back two refresh periods, so the first refresh after midnight still finishes
    yesterday's last minutes instead of leaving them to the nightly recheck."""
    now = timezone.now()
    start = day_start(since or now - dt.timedelta(seconds=2 * settings.ROLLUP_REFRESH_SECONDS))
    with transaction.atomic():
        # Two overlapping refreshes would each delete only the rows they can see and then both insert:
        # the lock makes them take turns.
        transaction_lock(ROLLUP_LOCK)
        MetricRollup.objects.filter(bucket__gte=start).delete()
        rows = 0
        batch: list[MetricRollup] = []
        for producer in (_signature_rows, _contact_rows, _call_rows, _letter_rows):
            for row in producer(start):
                batch.append(row)
                if len(batch) >= 5000:
                    MetricRollup.objects.bulk_create(batch)
                    rows += len(batch)
                    batch = []
        MetricRollup.objects.bulk_create(batch)
        rows += len(batch)
        refresh = MetricRefresh.objects.create(refreshed_at=now, since=start, rows=rows)
        MetricRefresh.objects.filter(refreshed_at__lt=now - dt.timedelta(days=2)).delete()
    return refresh


def rollups_rebuild_all() -> MetricRefresh:
    """Recompute everything from the first action on (after a bulk load, or to repair)."""
    firsts = [
        Signature.objects.order_by("created_at").values_list("created_at", flat=True).first(),
        CallSession.objects.order_by("created_at").values_list("created_at", flat=True).first(),
        Letter.objects.order_by("created_at").values_list("created_at", flat=True).first(),
        Contact.objects.order_by("created_at").values_list("created_at", flat=True).first(),
    ]
    earliest = min((f for f in firsts if f), default=timezone.now())
    return rollups_refresh(since=earliest)
