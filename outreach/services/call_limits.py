"""Limits and the blocklist for calls: how many calls a phone or a network may start, and who may not.

Both compare keyed hashes only (outreach/phones.py), so they keep working after the numbers are forgotten.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils import timezone

from infra.dbutil import transaction_lock
from infra.errors import DomainError
from outreach.models import CallAction, CallBlock, CallSession
from outreach.phones import PhoneRejected, ip_hash, ip_normalize, phone_hash, phone_normalize


class CallLimited(DomainError):
    status_code = 429
    message = "Too many calls; try again later."

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class CallBlocked(DomainError):
    status_code = 403
    message = "Calls from this phone or network are blocked."


def blocked(*, phone_digest: str = "", ip_digest: str = "", now: datetime | None = None) -> bool:
    now = now or timezone.now()
    wanted = Q()
    if phone_digest:
        wanted |= Q(kind=CallBlock.Kind.PHONE, value_hash=phone_digest)
    if ip_digest:
        wanted |= Q(kind=CallBlock.Kind.IP, value_hash=ip_digest)
    if not wanted:
        return False
    return CallBlock.objects.filter(wanted).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).exists()


def call_block_digest(*, kind: str, value: str) -> tuple[str, str]:
    """(keyed hash, short hint) for a phone (any format) or an IP to block; ValidationError on "value"."""
    if kind == CallBlock.Kind.PHONE:
        try:
            e164 = phone_normalize(value)
        except PhoneRejected as exc:
            raise DjangoValidationError({"value": [str(exc)]}) from exc
        return phone_hash(e164), f"…{e164[-4:]}"
    if kind == CallBlock.Kind.IP:
        try:
            return ip_hash(ip_normalize(value)), ""
        except ValueError as exc:
            raise DjangoValidationError({"value": ["Enter an IPv4 or IPv6 address."]}) from exc
    raise DjangoValidationError({"kind": [f"Unknown block kind {kind!r}."]})


def call_block_add(*, kind: str, value: str, reason: str = "", expires_at: datetime | None = None) -> CallBlock:
    """Block a phone or an IP. Only the keyed hash and a short hint are stored."""
    digest, label = call_block_digest(kind=kind, value=value)
    block, _ = CallBlock.objects.update_or_create(
        kind=kind, value_hash=digest, defaults={"label": label, "reason": reason, "expires_at": expires_at}
    )
    return block


def serialize_phone(digest: str) -> None:
    """Hold a per-phone lock until the transaction ends, so two starts for one phone check limits in turn."""
    transaction_lock(int(digest[:15], 16))


def window_full(*, now: datetime, window: timedelta, limit: int, **match: Any) -> int | None:
    """When `limit` sessions matching `match` were created within the rolling `window` before `now`: the
    seconds (at least 1) until the oldest of them leaves it. None while there is room."""
    times = list(
        CallSession.objects.filter(created_at__gt=now - window, **match)
        .order_by("created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(times) < limit:
        return None
    return max(math.ceil((times[0] + window - now).total_seconds()), 1)


def check_limits(*, action: CallAction, phone_digest: str, ip_digest: str, now: datetime) -> None:
    """CallLimited when this phone's daily or this network's hourly allowance is used up."""
    limit = action.phone_daily_limit or settings.CALL_PHONE_DAILY_LIMIT
    wait = window_full(now=now, window=timedelta(hours=24), limit=limit, phone_hash=phone_digest)
    if wait is not None:
        raise CallLimited(f"This phone has made {limit} calls in the last day; try again later.", wait)
    hourly = settings.CALL_IP_HOURLY_LIMIT
    if ip_digest and hourly and settings.THROTTLES_ENABLED:
        wait = window_full(now=now, window=timedelta(hours=1), limit=hourly, ip_hash=ip_digest)
        if wait is not None:
            raise CallLimited("Too many calls from this network; try again later.", wait)
