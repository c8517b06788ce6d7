"""Calls, the call-in line: which action answers a campaign number, the session of an incoming call (with
the same blocklist and limits as the click-to-call page), and the ZIP the caller keys in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from congress import selectors as congress_selectors
from outreach.models import CallAction, CallLeg, CallSession
from outreach.phones import PhoneRejected, phone_hash, phone_normalize
from outreach.selectors.calls import action_targets, live_call_actions
from outreach.services.call_limits import CallLimited, blocked, check_limits, window_full
from outreach.services.call_offices import create_legs, plan_offices
from outreach.services.calls import needs_lookup
from outreach.targets import NeedsAddress, TargetRule


def inbound_action(to_number: str, now: datetime | None = None) -> CallAction | None:
    """The live action that answers this campaign number: one that lists it, else the newest one using
    the site's default number."""
    live = list(live_call_actions(now).order_by("id"))
    try:
        number = phone_normalize(to_number, office=True)
    except PhoneRejected:
        number = to_number
    for action in live:
        if number in (action.caller_ids or []):
            return action
    defaults = [a for a in live if not a.caller_ids and number == settings.TWILIO_CALLER_ID]
    return max(defaults, key=lambda a: a.pk) if defaults else None


def _over_hourly(digest: str, now: datetime) -> bool:
    hourly = settings.CALL_IP_HOURLY_LIMIT
    if not hourly or not settings.THROTTLES_ENABLED:
        return False
    return window_full(now=now, window=timedelta(hours=1), limit=hourly, phone_hash=digest) is not None


class InboundRefused(Exception):
    """The caller is blocked or over the limit; `reason` is what they hear."""


def call_inbound_start(*, action: CallAction, from_number: str, to_number: str, sid: str) -> CallSession:
    """Create (once per Twilio CallSid) the session for an incoming call."""
    existing = CallSession.objects.filter(twilio_sid=sid).first() if sid else None
    if existing:
        return existing
    try:
        e164 = phone_normalize(from_number)
    except PhoneRejected:
        e164 = ""
    digest = phone_hash(e164 or (from_number or "").strip() or "anonymous")
    now = timezone.now()
    if blocked(phone_digest=digest, now=now):
        raise InboundRefused("We're sorry, this line can't take your call. Goodbye.")
    if e164:
        try:
            check_limits(action=action, phone_digest=digest, ip_digest="", now=now)
        except CallLimited as exc:
            raise InboundRefused("Thank you! You have reached today's limit of calls. Goodbye.") from exc
    elif _over_hourly(digest, now):
        # A withheld or foreign number is no person we can limit by the day: every caller sending the same
        # From value (all withheld ones, typically) shares one network's hourly allowance instead, so a
        # dialer hiding its number cannot run up calls without bound.
        raise InboundRefused("We're sorry, this line is busy right now. Please call again later. Goodbye.")
    try:
        with transaction.atomic():
            return CallSession.objects.create(
                action=action,
                campaign_id=action.campaign_id,
                direction=CallSession.Direction.INBOUND,
                status=CallSession.Status.IN_PROGRESS,
                phone=e164,
                phone_hash=digest,
                caller_id=phone_normalize(to_number, office=True) if to_number else settings.TWILIO_CALLER_ID,
                twilio_sid=sid or None,
                answered_at=now,
                source="call-in",
            )
    except IntegrityError:
        return CallSession.objects.get(twilio_sid=sid)


@dataclass
class ZipResult:
    ok: bool
    give_up: bool = False
    split: bool = False
    legs: list[CallLeg] | None = None


def call_zip_entered(*, session: CallSession, digits: str) -> ZipResult:
    """Resolve the targets from a keyed-in ZIP, once. A split ZIP falls back to the senators."""
    existing = list(CallLeg.objects.filter(session=session).order_by("position", "attempt"))
    if existing:
        return ZipResult(ok=True, split=session.split_zip, legs=existing)
    CallSession.objects.filter(pk=session.pk).update(prompts=F("prompts") + 1)
    session.refresh_from_db(fields=["prompts"])
    action = session.action
    lookup = None
    if len(digits) == 5 and digits.isdigit():
        try:
            lookup = congress_selectors.zip_lookup(digits) if needs_lookup(action) else None
            valid = True
        except (ValueError, congress_selectors.ZipNotFound, congress_selectors.NoCongressData):
            valid = False
    else:
        valid = False
    if not valid:
        give_up = session.prompts >= 2
        if give_up:
            CallSession.objects.filter(pk=session.pk, outcome=CallSession.Outcome.NONE).update(
                outcome=CallSession.Outcome.NO_ZIP
            )
        return ZipResult(ok=False, give_up=give_up)
    split = False
    try:
        targets = action_targets(action, lookup)
    except NeedsAddress:
        split = True
        try:
            targets = action_targets(action, lookup, rule=TargetRule.SENATORS)
        except NeedsAddress:
            targets = []  # a ZIP across a state line: not even the senators are certain, and no one is called
    with transaction.atomic():
        locked = CallSession.objects.select_for_update().get(pk=session.pk)
        if CallLeg.objects.filter(session=locked).exists():
            return ZipResult(ok=True, split=locked.split_zip, legs=list(locked.legs.order_by("position", "attempt")))
        CallSession.objects.filter(pk=session.pk).update(
            prompts=0,
            postal_code=digits,
            district_state=(lookup.state or "") if lookup else "",
            district=lookup.district if lookup and not split else None,
            district_congress=lookup.congress if lookup else None,
            split_zip=split,
        )
        session.postal_code = digits
        legs = create_legs(session, plan_offices(targets, digits))
    if not legs:
        CallSession.objects.filter(pk=session.pk, outcome=CallSession.Outcome.NONE).update(
            outcome=CallSession.Outcome.NO_TARGETS
        )
    return ZipResult(ok=True, split=split, legs=legs)
