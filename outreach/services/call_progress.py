"""Calls, the progress of one: placing it (the Celery task's body), every step of the flow Twilio drives
through webhooks, and the sweeps that fail stuck sessions and forget old numbers.

Every webhook step is a conditional UPDATE on the session or leg row (WHERE status = what we expect),
so a repeated or late callback from Twilio changes nothing the second time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from contacts.retention import ip_hash_cutoff
from outreach import office_hours
from outreach.models import CallAction, CallLeg, CallSession
from outreach.services.call_offices import (
    OfficeChoice,
    district_choice,
    district_offices,
    first_open,
    open_district_office,
)
from outreach.telephony import (
    OutboundCall,
    PermanentTelephonyError,
    TransientTelephonyError,
    place_call,
    webhook_url,
)

_STATUS_RANK: dict[str, int] = {
    CallSession.Status.QUEUED: 0,
    CallSession.Status.PLACING: 1,
    CallSession.Status.INITIATED: 2,
    CallSession.Status.RINGING: 3,
    CallSession.Status.IN_PROGRESS: 4,
}
TERMINAL = (
    CallSession.Status.COMPLETED,
    CallSession.Status.BUSY,
    CallSession.Status.NO_ANSWER,
    CallSession.Status.FAILED,
    CallSession.Status.CANCELED,
)
DIAL_RESULTS = ("completed", "busy", "no-answer", "failed", "canceled")
# Wrong keys before goodbye: the first gets the prompt once more. (Inbound, the ZIP prompts count the same
# column; it starts again at zero once the ZIP is resolved.)
WRONG_KEY_PROMPTS = 2
LEG_OPEN = (CallLeg.Status.PENDING, CallLeg.Status.DIALING)


# --- placing the call (the Celery task's body) ----------------------------------------------------
def call_session_place(*, session_id: str) -> str | None:
    """Claim a queued session and ask the provider to ring the supporter. Returns the provider's id, or
    None when another run already claimed it. A transient error hands the session back to the queue."""
    claimed = CallSession.objects.filter(pk=session_id, status=CallSession.Status.QUEUED).update(
        status=CallSession.Status.PLACING, updated_at=timezone.now()
    )
    if not claimed:
        return None
    session = CallSession.objects.get(pk=session_id)
    call = OutboundCall(
        to=session.phone,
        from_=session.caller_id,
        url=webhook_url("calls-hook-answer", session_id=session.id),
        status_callback=webhook_url("calls-hook-status", session_id=session.id),
    )
    try:
        sid = place_call(call)
    except TransientTelephonyError:
        CallSession.objects.filter(pk=session_id, status=CallSession.Status.PLACING).update(
            status=CallSession.Status.QUEUED, updated_at=timezone.now()
        )
        raise
    except PermanentTelephonyError as exc:
        call_session_fail(session_id=session_id, error=str(exc)[:200], statuses=(CallSession.Status.PLACING,))
        return None
    CallSession.objects.filter(pk=session_id, twilio_sid__isnull=True).update(twilio_sid=sid, updated_at=timezone.now())
    # Webhooks may have moved the session on already (the console backend plays the whole call first).
    CallSession.objects.filter(pk=session_id, status=CallSession.Status.PLACING).update(
        status=CallSession.Status.INITIATED, updated_at=timezone.now()
    )
    return sid


def call_session_fail(
    *,
    session_id: uuid.UUID | str,
    error: str,
    statuses: tuple[str, ...] = (CallSession.Status.QUEUED, CallSession.Status.PLACING),
) -> int:
    now = timezone.now()
    changed = CallSession.objects.filter(pk=session_id, status__in=statuses).update(
        status=CallSession.Status.FAILED, error=error, ended_at=now, updated_at=now
    )
    if changed:
        # The stubs take a UUID only for this lookup; Django converts the task's str id as it does for `pk`.
        CallLeg.objects.filter(session_id=session_id, status=CallLeg.Status.PENDING).update(  # type: ignore[misc]
            status=CallLeg.Status.NOT_REACHED
        )
    return changed


def call_sessions_sweep(*, now: datetime | None = None) -> int:
    """Fail sessions stuck before the provider took them. They are never re-placed: a worker that died
    after Twilio accepted the call would otherwise ring the supporter twice."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.CALL_STUCK_MINUTES)
    stuck = CallSession.objects.filter(
        status__in=(CallSession.Status.QUEUED, CallSession.Status.PLACING), created_at__lt=cutoff
    ).values_list("pk", flat=True)
    return sum(call_session_fail(session_id=pk, error="not placed in time") for pk in list(stuck))


def call_phones_forget(*, now: datetime | None = None) -> int:
    """Blank the supporter's phone on sessions older than CALL_PHONE_RETENTION_DAYS. The keyed hash
    stays, so limits and the blocklist keep working; the number itself is needed only to place the call."""
    days = settings.CALL_PHONE_RETENTION_DAYS
    if not days:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return CallSession.objects.filter(created_at__lt=cutoff).exclude(phone="").update(phone="")


def call_ip_hashes_forget(*, now: datetime | None = None) -> int:
    """Blank the caller's IP hash on sessions older than RETENTION_IP_HASH_DAYS. It serves the hourly
    per-IP limit only (the settings keep the retention above a day); the blocklist holds its own hashes."""
    cutoff = ip_hash_cutoff(now=now)
    if cutoff is None:
        return 0
    return CallSession.objects.filter(created_at__lt=cutoff).exclude(ip_hash="").update(ip_hash="")


# --- status callbacks ------------------------------------------------------------------------------
def _lower_ranks(status: str) -> list[str]:
    if status in TERMINAL:
        return list(_STATUS_RANK)
    rank = _STATUS_RANK.get(status)
    return [s for s, r in _STATUS_RANK.items() if rank is not None and r < rank]


def call_status_update(*, session: CallSession, status: str, duration: str = "", sid: str = "") -> bool:
    """Move the session forward to `status`; never backwards, never twice. True when something changed.
    Only `session.pk` is read, so callers may pass a row loaded with nothing else."""
    if status not in _STATUS_RANK and status not in TERMINAL:
        return False
    now = timezone.now()
    fields: dict[str, Any] = {"status": status, "updated_at": now}
    if sid:
        fields["twilio_sid"] = Coalesce("twilio_sid", Value(sid))
    if status == CallSession.Status.IN_PROGRESS:
        fields["answered_at"] = Coalesce("answered_at", Value(now))
    if status in TERMINAL:
        fields["ended_at"] = now
        if duration.isdigit():
            fields["duration"] = int(duration)
    changed = CallSession.objects.filter(pk=session.pk, status__in=_lower_ranks(status)).update(**fields)
    if changed and status in TERMINAL:
        legs = CallLeg.objects.filter(session_id=session.pk)
        legs.filter(status=CallLeg.Status.PENDING).update(status=CallLeg.Status.NOT_REACHED)
        # A Dial action that arrives later still records the office's result (see call_leg_dialed).
        legs.filter(status=CallLeg.Status.DIALING).update(status=CallLeg.Status.ABANDONED, ended_at=now)
    return bool(changed)


def call_answered(*, session: CallSession, sid: str = "") -> bool:
    return call_status_update(session=session, status=CallSession.Status.IN_PROGRESS, sid=sid)


def call_key_pressed(*, session: CallSession) -> bool:
    now = timezone.now()
    return bool(
        CallSession.objects.filter(pk=session.pk, connected_at__isnull=True).update(
            connected_at=now, outcome=CallSession.Outcome.CONNECTED, updated_at=now
        )
    )


def call_wrong_key(*, session: CallSession) -> bool:
    """Count a key other than 1. True when the caller has been prompted again already: time to say
    goodbye instead of prompting forever."""
    updated = CallSession.objects.filter(pk=session.pk, connected_at__isnull=True).update(
        prompts=F("prompts") + 1, updated_at=timezone.now()
    )
    if not updated:
        return False
    session.refresh_from_db(fields=["prompts"])
    if session.prompts < WRONG_KEY_PROMPTS:
        return False
    call_no_key(session=session)
    return True


def call_no_key(*, session: CallSession) -> bool:
    return bool(
        CallSession.objects.filter(pk=session.pk, outcome=CallSession.Outcome.NONE, connected_at__isnull=True).update(
            outcome=CallSession.Outcome.NO_KEY, updated_at=timezone.now()
        )
    )


# --- walking the legs ------------------------------------------------------------------------------
@dataclass
class NextStep:
    """What the caller hears next: dial `leg` (after `closed_note` when the office is closed), or a
    `skipped` leg closed for the night, or the end when leg is None."""

    leg: CallLeg | None
    skipped: bool = False
    after_hours: bool = False


def _open_leg(session: CallSession) -> CallLeg | None:
    return (
        CallLeg.objects.filter(session=session, status__in=LEG_OPEN)
        .select_related("legislator", "office")
        .order_by("position", "attempt")
        .first()
    )


def _switch_office(leg: CallLeg, choice: OfficeChoice) -> None:
    CallLeg.objects.filter(pk=leg.pk, status=CallLeg.Status.PENDING).update(
        office_kind=choice.kind, office=choice.office, office_label=choice.label, phone=choice.phone
    )
    leg.office_kind, leg.office, leg.office_label, leg.phone = choice.kind, choice.office, choice.label, choice.phone


def call_next_step(*, session: CallSession, now: datetime | None = None) -> NextStep:
    """Pick the next office to dial, applying office hours, and mark its leg dialing (once)."""
    now = now or timezone.now()
    leg = _open_leg(session)
    while leg is not None and leg.status == CallLeg.Status.PENDING and leg.legislator is not None:
        if leg.legislator.in_office:
            break
        # The roster changed while this caller was on the line: never patch them through to a departed office.
        CallLeg.objects.filter(pk=leg.pk, status=CallLeg.Status.PENDING).update(
            status=CallLeg.Status.LEFT_OFFICE, ended_at=now
        )
        leg = _open_leg(session)
    if leg is None:
        return NextStep(None)
    if leg.status == CallLeg.Status.DIALING:
        return NextStep(leg, after_hours=leg.after_hours)  # a repeated request: the same Dial again
    action = session.action
    if leg.office_kind == CallLeg.OfficeKind.DISTRICT and leg.office is not None:
        is_open = office_hours.district_office_open(leg.office, now)
    else:
        is_open = office_hours.dc_open(now)
    if not is_open and leg.legislator is not None:
        tried = {leg.office_id} if leg.office_id else set()
        other = open_district_office(leg.legislator, near=session.postal_code, now=now, exclude=tried)
        if other is not None:
            _switch_office(leg, district_choice(other))
            is_open = True
    if not is_open and action.after_hours == CallAction.AfterHours.SKIP:
        CallLeg.objects.filter(pk=leg.pk, status=CallLeg.Status.PENDING).update(
            status=CallLeg.Status.CLOSED, ended_at=now
        )
        return NextStep(leg, skipped=True)
    CallLeg.objects.filter(pk=leg.pk, status=CallLeg.Status.PENDING).update(
        status=CallLeg.Status.DIALING, started_at=now, after_hours=not is_open
    )
    leg.status, leg.after_hours = CallLeg.Status.DIALING, not is_open
    return NextStep(leg, after_hours=not is_open)


def dial_result(raw: str) -> str:
    """Twilio's DialCallStatus as a leg status. Twilio documents "answered" for some Dial nouns; anything
    unknown is recorded as failed rather than refused, since refusing the webhook hangs up on the caller."""
    if raw == "answered":
        return "completed"
    return raw if raw in DIAL_RESULTS else "failed"


def call_leg_dialed(*, leg: CallLeg, dial_status: str, duration: str = "", dial_sid: str = "") -> bool:
    """Record one office's result from the Dial action (once). A busy or unanswered first try gets one
    more try at a district office. Returns True when the session has ended (the caller hung up)."""
    now = timezone.now()
    dial_status = dial_result(dial_status)
    changed = CallLeg.objects.filter(pk=leg.pk, status__in=(CallLeg.Status.DIALING, CallLeg.Status.ABANDONED)).update(
        status=dial_status,
        duration=int(duration) if duration.isdigit() else None,
        dial_sid=dial_sid[:64],
        ended_at=now,
    )
    session = leg.session
    session_over = CallSession.objects.filter(pk=session.pk, status__in=TERMINAL).exists()
    if changed and dial_status in ("busy", "no-answer") and leg.attempt == 1 and leg.legislator_id and not session_over:
        _fallback_leg(leg, now)
    return session_over


def _fallback_leg(leg: CallLeg, now: datetime) -> None:
    exclude = {leg.office_id} if leg.office_id else set()
    legislator = leg.legislator
    if legislator is None:  # the caller checked legislator_id; nothing to fall back on without one
        return
    session = leg.session
    candidates = district_offices(legislator, near=session.postal_code, exclude=exclude)
    office = first_open(candidates, now)
    # With office hours off, every office counts as open, so `office` is only None when none is left.
    if office is None and session.action.after_hours == CallAction.AfterHours.VOICEMAIL:
        # Closed everywhere, but this campaign leaves voicemails: the nearest district office will do.
        office = candidates[0] if candidates else None
    if office is None:
        return
    choice = district_choice(office)
    try:
        with transaction.atomic():
            CallLeg.objects.create(
                session=session,
                position=leg.position,
                attempt=2,
                target_key=leg.target_key,
                legislator=leg.legislator,
                name=leg.name,
                title=leg.title,
                office_kind=choice.kind,
                office=choice.office,
                office_label=choice.label,
                phone=choice.phone,
            )
    except IntegrityError:
        pass  # the fallback exists already
