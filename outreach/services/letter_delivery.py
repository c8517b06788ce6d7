"""Delivering a letter exactly once: claim the row, respect the shared rate limits, send it by its channel,
record the outcome; and the sweeper that re-enqueues letters whose task was lost."""

from __future__ import annotations

import logging
import os
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from congress import selectors as congress_selectors
from outreach import publish
from outreach.delivery import PermanentDeliveryError, TransientDeliveryError
from outreach.delivery import cwc as cwc_api
from outreach.delivery import email as email_channel
from outreach.models import Letter, LetterAction, LetterEvent, LetterSubmission

log = logging.getLogger(__name__)

Status = Letter.Status
Channel = Letter.Channel
LetterId = uuid.UUID | str


def _parse_rate(rate: str | None) -> tuple[int, int] | None:
    if not rate:
        return None
    count, _, per = rate.partition("/")
    period = {"s": 1, "m": 60, "h": 3600, "d": 86400}[per.strip()[0]]
    return int(count), period


_redis_clients: dict[int, Any] = {}


def _redis() -> Any:
    """A raw client on REDIS_URL (one per process), or None in the embedded default."""
    if not settings.REDIS_URL:
        return None
    pid = os.getpid()
    if pid not in _redis_clients:
        import redis

        _redis_clients.clear()
        _redis_clients[pid] = redis.Redis.from_url(settings.REDIS_URL)
    return _redis_clients[pid]


def _rate_take(limits: list[tuple[str, str | None]]) -> float:
    """Fixed-window limiters shared by all workers: 0 when every limit allows one more now, else the seconds
    until the first window that would. On Redis all counters move in one round trip."""
    windows = []
    now = time.time()
    for key, rate in limits:
        parsed = _parse_rate(rate)
        if parsed:
            limit, period = parsed
            window = int(now // period)
            windows.append((f"letters:rate:{key}:{period}:{window}", limit, period, window))
    if not windows:
        return 0.0
    client = _redis()
    if client is not None:
        pipe = client.pipeline(transaction=False)
        for cache_key, _, period, _ in windows:
            pipe.incr(cache_key)
            pipe.expire(cache_key, period * 2)
        counts = pipe.execute()[::2]
    else:
        counts = []
        for cache_key, _, period, _ in windows:
            cache.add(cache_key, 0, timeout=period * 2)
            try:
                counts.append(cache.incr(cache_key))
            except ValueError:  # expired between add and incr
                cache.set(cache_key, 1, timeout=period * 2)
                counts.append(1)
    wait = 0.0
    for (_, limit, period, window), used in zip(windows, counts, strict=True):
        if used > limit:
            wait = max(wait, (window + 1) * period - now + random.uniform(0, min(1.0, period * 0.1)))
    return wait


def letter_rate_wait(letter: Letter) -> float:
    if letter.channel not in (Channel.CWC_HOUSE, Channel.CWC_SENATE, Channel.EMAIL):
        return 0.0
    return _rate_take(
        [
            ("global", settings.LETTERS_RATE_GLOBAL),
            (f"office:{letter.office_code or letter.bioguide_id}", settings.LETTERS_RATE_PER_OFFICE),
        ]
    )


@dataclass(frozen=True)
class DeliveryOutcome:
    status: str  # the letter's status after this attempt, or "" when this attempt did nothing
    retry_in: float | None = None  # seconds until the task should run again


def _claim(letter_id: LetterId) -> tuple[str | None, float | None, str]:
    """Claim a queued letter (queued -> sending) or a stale sending one. Returns (token, None, note) when
    claimed, (None, seconds, "") when another attempt holds a fresh claim, (None, None, "") when there is
    nothing to do."""
    now = timezone.now()
    token = uuid.uuid4().hex
    claim = {"status": Status.SENDING, "claim_token": token, "claimed_at": now, "attempts": F("attempts") + 1,
             "updated_at": now}  # fmt: skip
    if Letter.objects.filter(pk=letter_id, status=Status.QUEUED).update(**claim):
        return token, None, ""
    stale_before = now - timedelta(seconds=settings.LETTERS_SENDING_STALE_SECONDS)
    if Letter.objects.filter(pk=letter_id, status=Status.SENDING, claimed_at__lt=stale_before).update(**claim):
        # The attempt that held it died or hung past any HTTP timeout. The DeliveryId is the same, so if the
        # office did get the first attempt it drops this one as a duplicate.
        return token, None, "reclaimed from a stalled attempt"
    row = Letter.objects.filter(pk=letter_id).values_list("status", "claimed_at").first()
    if row and row[0] == Status.SENDING and row[1]:
        return None, max(1.0, (row[1] - stale_before).total_seconds() + 1), ""
    return None, None, ""


def _release(letter_id: LetterId, token: str, wait: float) -> None:
    """Hand a claimed letter back untouched (a rate limit said not yet): the claim was not an attempt."""
    now = timezone.now()
    Letter.objects.filter(pk=letter_id, status=Status.SENDING, claim_token=token).update(
        status=Status.QUEUED, claim_token="", attempts=F("attempts") - 1, updated_at=now,
        next_attempt_at=now + timedelta(seconds=wait),
    )  # fmt: skip


def _finish(
    letter_id: LetterId, token: str, status: str, detail: str = "", *, attempt: LetterEvent | None = None, **fields: Any
) -> bool:
    """Record an attempt's outcome if this attempt still holds the claim. The attempt's own "sending" event
    is written here with its start time, in the same INSERT: one round trip less per letter."""
    now = timezone.now()
    # One transaction: the status and its history never disagree, and it costs a single commit.
    with transaction.atomic():
        done = Letter.objects.filter(pk=letter_id, status=Status.SENDING, claim_token=token).update(
            status=status, claim_token="", updated_at=now, **fields
        )
        if done:
            final = LetterEvent(letter_id=letter_id, status=status, detail=detail[:500], created_at=now)
            LetterEvent.objects.bulk_create([attempt, final] if attempt is not None else [final])
    return bool(done)


def cwc_message_for(letter: Letter) -> cwc_api.CwcMessage:
    # A CWC letter is always a writer's: petition letters never take the CWC route.
    sub = cast(LetterSubmission, letter.submission)
    action = cast(LetterAction, letter.action)
    bill = None
    if action.bill_congress and action.bill_type and action.bill_number:
        bill = (action.bill_congress, action.bill_type, action.bill_number)
    return cwc_api.CwcMessage(
        delivery_id=letter.delivery_id,
        delivery_date=timezone.localdate(),
        campaign_id=action.cwc_campaign_id,
        office_code=letter.office_code,
        constituent=cwc_api.Constituent(
            prefix=sub.prefix,
            first_name=sub.given_name,
            last_name=sub.family_name,
            address1=sub.address_line,
            city=sub.locality,
            state=sub.region,
            zip=sub.postal_code,
            email=sub.email,
            phone=sub.phone,
            address_validated=sub.district_accuracy == "address",
        ),
        subject=letter.subject,
        topics=list(action.topics),
        organization_statement=letter.body,
        constituent_message=letter.constituent_message,
        bill=bill,
        pro_or_con=action.stance,
        more_info=action.more_info_url,
    )


def _email_body(letter: Letter) -> str:
    parts = [letter.body]
    if letter.constituent_message:
        parts.append(letter.constituent_message)
    sub = letter.submission
    if sub is not None:
        parts.append(
            f"{sub.prefix} {sub.given_name} {sub.family_name}\n{sub.address_line}\n"
            f"{sub.locality}, {sub.region} {sub.postal_code}\n{sub.email}"
        )
    return "\n\n".join(p for p in parts if p)


def _target_left(bioguide_id: str) -> bool:
    """Whether the letter's member is out of office in the newest load (read from the in-memory roster)."""
    try:
        snap = congress_selectors.current_snapshot()
    except congress_selectors.NoCongressData:
        return False
    return bioguide_id not in snap.as_json


def _send(letter: Letter) -> None:
    if letter.channel in (Channel.CWC_HOUSE, Channel.CWC_SENATE):
        chamber = cwc_api.HOUSE if letter.channel == Channel.CWC_HOUSE else cwc_api.SENATE
        try:
            xml = cwc_api.build_message_xml(cwc_message_for(letter))
        except ValueError as exc:  # the letter itself cannot be a CWC message: sending again changes nothing
            raise PermanentDeliveryError(f"not a valid CWC message: {exc}") from exc
        cwc_api.send_message(chamber=chamber, xml=xml)
    elif letter.channel == Channel.EMAIL:
        email_channel.send_letter_email(
            to=letter.destination,
            subject=letter.subject,
            body=_email_body(letter),
            reply_to=letter.submission.email if letter.submission else "",
            message_id=letter.delivery_id,
        )
    else:
        raise PermanentDeliveryError(f"channel {letter.channel} does not send")


def letter_deliver(*, letter_id: LetterId, retry_delay: Callable[[int], float]) -> DeliveryOutcome:
    """One delivery attempt. `retry_delay(attempts)` is the caller's backoff for transient errors."""
    token, busy_for, note = _claim(letter_id)
    if token is None:
        return DeliveryOutcome(status="", retry_in=busy_for)
    letter = Letter.objects.select_related("submission", "action").get(pk=letter_id)
    if _target_left(letter.bioguide_id):
        # The roster changed after this letter was queued (the load holds such letters too; this closes the
        # race with a load that commits while the letter waits in the broker).
        _finish(letter_id, token, Status.TARGET_LEFT, f"{letter.recipient_name} left office; not sent")
        return DeliveryOutcome(status=Status.TARGET_LEFT)
    wait = letter_rate_wait(letter)
    if wait:
        _release(letter_id, token, wait)
        return DeliveryOutcome(status="", retry_in=wait)
    attempt = LetterEvent(letter_id=letter_id, status=Status.SENDING, detail=note, created_at=timezone.now())
    if letter.channel == Channel.OUTBOX:
        _finish(letter_id, token, Status.IN_OUTBOX, "kept for the printable batch", attempt=attempt)
        return DeliveryOutcome(status=Status.IN_OUTBOX)
    try:
        _send(letter)
    except TransientDeliveryError as exc:
        return _after_transient(letter, token, str(exc), retry_delay, attempt)
    except PermanentDeliveryError as exc:
        _finish(letter_id, token, Status.FAILED, str(exc), attempt=attempt, error=str(exc)[:2000])
        return DeliveryOutcome(status=Status.FAILED)
    except Exception as exc:
        # A bug, not the office: left in "sending", the sweeper would reclaim it forever. Fail it so an
        # organizer sees it and can retry once fixed. Only the type: the message may quote personal data.
        log.exception("letter id=%s: unexpected error while delivering", letter_id)
        reason = f"unexpected error: {type(exc).__name__}"
        _finish(letter_id, token, Status.FAILED, reason, attempt=attempt, error=reason)
        return DeliveryOutcome(status=Status.FAILED)
    now = timezone.now()
    detail = f"accepted by {letter.office_code or letter.destination}"
    if not _finish(letter_id, token, Status.SENT, detail, attempt=attempt, sent_at=now, error=""):
        log.warning("letter id=%s was reclaimed while this attempt ran; the other attempt records it", letter_id)
    return DeliveryOutcome(status=Status.SENT)


def _after_transient(
    letter: Letter, token: str, error: str, retry_delay: Callable[[int], float], attempt: LetterEvent
) -> DeliveryOutcome:
    delay = retry_delay(letter.attempts)
    started = letter.queued_at or letter.created_at
    now = timezone.now()
    if now + timedelta(seconds=delay) > started + timedelta(seconds=settings.LETTERS_MAX_AGE_SECONDS):
        reason = f"gave up after {letter.attempts} attempts: {error}"
        _finish(letter.pk, token, Status.FAILED, reason, attempt=attempt, error=reason[:2000])
        return DeliveryOutcome(status=Status.FAILED)
    _finish(
        letter.pk, token, Status.QUEUED, f"attempt {letter.attempts} failed: {error}", attempt=attempt,
        error=error[:2000], next_attempt_at=now + timedelta(seconds=delay),
    )  # fmt: skip
    return DeliveryOutcome(status=Status.QUEUED, retry_in=delay)


def letters_sweep() -> int:
    """Re-enqueue letters whose task was lost: queued past their due time, or sending past the stale limit.

    A swept letter's next_attempt_at becomes now, so the following sweeps leave it alone for the grace
    period while its new task waits in the broker behind a backlog."""
    now = timezone.now()
    grace = timedelta(seconds=settings.LETTERS_SWEEP_GRACE_SECONDS)
    not_swept_lately = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=now - grace)
    queued = Letter.objects.filter(status=Status.QUEUED, next_attempt_at__lt=now - grace) | Letter.objects.filter(
        status=Status.QUEUED, next_attempt_at__isnull=True, queued_at__lt=now - grace
    )
    stale = Letter.objects.filter(
        not_swept_lately,
        status=Status.SENDING,
        claimed_at__lt=now - timedelta(seconds=settings.LETTERS_SENDING_STALE_SECONDS),
    )
    ids = list(queued.values_list("pk", flat=True)[:5000]) + list(stale.values_list("pk", flat=True)[:5000])
    if ids:
        Letter.objects.filter(pk__in=ids).update(next_attempt_at=now)
    for letter_id in ids:
        publish.deliver_letter_now(letter_id)
    return len(ids)
