"""Calls, the caller's side: call actions, starting a session (checks, targets, legs, and the call placed
after commit), and the caller's own report of how each office went.

The rest of the flow: outreach/services/call_progress.py (the webhook steps), call_inbound.py (the call-in
line), call_limits.py (limits and the blocklist), call_offices.py (which office to dial).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from congress import selectors as congress_selectors
from contacts.services import consent_text_current, contact_upsert
from infra.errors import DomainError
from organizing.models import Campaign
from outreach import office_hours, publish
from outreach.lookup import LookupUnavailable, constituent_lookup
from outreach.models import CallAction, CallFeedback, CallLeg, CallSession
from outreach.models.call_rules import call_action_validate
from outreach.phones import PhoneRejected, ip_hash, phone_hash, phone_normalize
from outreach.selectors.calls import action_targets, live_call_actions
from outreach.services.call_limits import CallBlocked, blocked, check_limits, serialize_phone
from outreach.services.call_offices import any_office_open, create_legs, plan_offices
from outreach.targets import NeedsAddress, TargetRule

log = logging.getLogger("outreach.calls")

CONSENT_KEY = "call-consent"
CONSENT_TEXT = (
    "I agree to receive a phone call from this campaign now, connecting me to my members of Congress. "
    "My number is used for this call and its limits only."
)


class CallUnavailable(DomainError):
    """The lookup or the action cannot serve right now."""

    status_code = 503
    message = "Calls are unavailable right now; try again shortly."


class OfficesClosed(DomainError):
    status_code = 409
    message = "The offices are closed now."


# --- call actions ---------------------------------------------------------------------------------
def call_action_create(*, campaign: Campaign, name: str, script: str, **fields: Any) -> CallAction:
    action = CallAction(campaign=campaign, name=name, script=script, **fields)
    call_action_validate(action)
    action.full_clean(exclude=["campaign"])
    action.save()
    return action


def call_action_is_live(action: CallAction, now: datetime | None = None) -> bool:
    return live_call_actions(now).filter(pk=action.pk).exists()


def needs_lookup(action: CallAction) -> bool:
    """Whether the action's targets depend on where the caller lives (a ZIP or address lookup)."""
    return action.target_rule in (TargetRule.SENATORS, TargetRule.REPRESENTATIVE, TargetRule.BOTH, TargetRule.COMMITTEE)


def _pick_caller_id(action: CallAction, phone: str, seed: str) -> str:
    numbers: list[str] = list(action.caller_ids or []) or [settings.TWILIO_CALLER_ID]
    # A number in the supporter's own area code is answered more often than a stranger's.
    local = [n for n in numbers if phone and n[:5] == phone[:5]]
    pool = local or numbers
    return pool[int(seed.replace("-", "")[:8], 16) % len(pool)]


# --- starting a session ----------------------------------------------------------------------------
def _lookup(postal_code: str, street: str) -> congress_selectors.Lookup:
    try:
        return constituent_lookup(postal_code=postal_code, street=street)
    except LookupUnavailable as exc:
        raise CallUnavailable(str(exc)) from exc


def call_session_start(
    *,
    action: CallAction,
    phone: str,
    postal_code: str,
    consent: bool,
    address: str = "",
    source: str = "",
    ip: str = "",
    email: str = "",
    consent_text: str = CONSENT_TEXT,
) -> CallSession:
    """Validate, check limits, resolve targets, write the session and its legs, and enqueue the call.

    The returned session's `started_legs` are the legs just written, one per target in calling order.
    Raises django's ValidationError (400), CallBlocked (403), CallLimited (429), OfficesClosed (409),
    CallUnavailable (503)."""
    errors: dict[str, list[str]] = {}
    if consent is not True:
        errors["consent"] = ["Agree to receive the call to continue."]
    try:
        e164 = phone_normalize(phone)
    except PhoneRejected as exc:
        errors["phone"] = [str(exc)]
        e164 = ""
    if not congress_selectors.ZIP_RE.match(postal_code or ""):
        errors["postal_code"] = ["Enter a 5-digit ZIP code."]
    if errors:
        raise DjangoValidationError(errors)
    now = timezone.now()
    if not call_action_is_live(action, now):
        raise CallUnavailable("This call campaign is not taking calls now.")
    digest, ip_digest = phone_hash(e164), (ip_hash(ip) if ip else "")
    if blocked(phone_digest=digest, ip_digest=ip_digest, now=now):
        raise CallBlocked("Calls from this phone or network are blocked.")
    check_limits(action=action, phone_digest=digest, ip_digest=ip_digest, now=now)

    lookup = _lookup(postal_code, address) if needs_lookup(action) else None
    try:
        targets = action_targets(action, lookup)
    except NeedsAddress as exc:
        raise DjangoValidationError(
            {"address": ["This ZIP code spans several districts: add your street address to find your representative."]}
        ) from exc
    planned = plan_offices(targets, postal_code)
    if not planned:
        raise DjangoValidationError({"postal_code": ["There is no office to call for this ZIP code in this campaign."]})
    targets = [target for target, _ in planned]
    if action.after_hours == CallAction.AfterHours.SKIP and not any_office_open(targets, postal_code, now):
        raise OfficesClosed(f"The offices are closed now. {office_hours.hours_text()}")

    with transaction.atomic():
        # Two requests for the same phone at once must not both slip under the daily limit.
        serialize_phone(digest)
        check_limits(action=action, phone_digest=digest, ip_digest=ip_digest, now=now)
        contact = None
        if email:
            # The consent covers this call only ("used for this call and its limits only"): the number stays
            # on the session, which forgets it after CALL_PHONE_RETENTION_DAYS, and no standing phone consent
            # is recorded on the contact. The session's consent_text is the record of what was agreed to.
            contact, _ = contact_upsert(email=email, source=source or "call", postal_code=postal_code[:5])
        session = CallSession(
            action=action,
            campaign_id=action.campaign_id,
            contact=contact,
            direction=CallSession.Direction.OUTBOUND,
            phone=e164,
            phone_hash=digest,
            ip_hash=ip_digest,
            postal_code=postal_code[:10],
            district_state=(lookup.state or "") if lookup else "",
            district=lookup.district if lookup else None,
            district_congress=lookup.congress if lookup else None,
            consent_text=consent_text_current(key=CONSENT_KEY, text=consent_text),
            source=source[:100],
        )
        session.caller_id = _pick_caller_id(action, e164, str(session.id))
        session.save()
        # An attribute of this one instance, read by the API's answer (not a model field).
        session.started_legs = create_legs(session, planned)  # type: ignore[attr-defined]
        publish.call_place(str(session.id))
    log.info("call session started id=%s legs=%s", session.id, len(targets))
    return session


# --- feedback --------------------------------------------------------------------------------------
def call_feedback_record(*, session: CallSession, target: str, outcome: str, notes: str = "") -> CallFeedback:
    """The caller's own report for one target (bioguide id or custom key); a later report replaces it."""
    if outcome not in CallFeedback.Outcome.values:
        raise DjangoValidationError({"outcome": [f"Choose one of: {', '.join(CallFeedback.Outcome.values)}."]})
    if not CallLeg.objects.filter(session=session, target_key=target).exists():
        raise DjangoValidationError({"bioguide_id": ["This office is not one of this call's targets."]})
    feedback, _ = CallFeedback.objects.update_or_create(
        session=session, target_key=target, defaults={"outcome": outcome, "notes": (notes or "")[:2000]}
    )
    return feedback
