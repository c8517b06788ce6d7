"""Calls: starting a session, placing it, and every step of the call flow Twilio drives through webhooks.

Every webhook step is a conditional UPDATE on the session or leg row (WHERE status = what we expect),
so a repeated or late callback from Twilio changes nothing the second time.
"""

from __future__ import annotations

import ipaddress
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from campaign.dbutil import transaction_lock
from campaign.models import Campaign
from congress import selectors as congress_selectors
from congress import usps
from congress.models import Legislator, Office
from contacts.phones import InvalidPhone, e164, parse_us_phone
from contacts.privacy import keyed_hash
from contacts.services import consent_text_current, contact_upsert
from outreach import office_hours
from outreach.lookup import LookupUnavailable, constituent_lookup
from outreach.models import CallAction, CallBlock, CallFeedback, CallLeg, CallSession
from outreach.selectors.calls import action_targets, live_call_actions
from outreach.targets import NeedsAddress, Target, TargetRule
from outreach.telephony import OutboundCall, place_call

log = logging.getLogger("outreach.calls")

CONSENT_KEY = "call-consent"
CONSENT_TEXT = (
    "I agree to receive a phone call from this campaign now, connecting me to my members of Congress. "
    "My number is used for this call and its limits only."
)
# The regions that elect members of Congress and share the +1 plan; every other country is refused.
PHONE_REGIONS = frozenset({"US", "PR", "GU", "VI", "AS", "MP"})
_PERSON_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        phonenumbers.PhoneNumberType.VOIP,
    }
)
# Agency switchboards are often toll-free; premium-rate and shared-cost numbers are never dialed.
_OFFICE_TYPES = _PERSON_TYPES | {phonenumbers.PhoneNumberType.TOLL_FREE}

_STATUS_RANK = {
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
CUSTOM_NAME_MAX = 120
CUSTOM_TITLE_MAX = 40
LEG_OPEN = (CallLeg.Status.PENDING, CallLeg.Status.DIALING)


# --- errors ---------------------------------------------------------------------------------------
class CallLimited(Exception):
    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class CallBlocked(Exception):
    pass


class CallUnavailable(Exception):
    """The lookup or the action cannot serve right now (503/409)."""


class OfficesClosed(Exception):
    pass


class PhoneRejected(ValueError):
    pass


# --- phones ---------------------------------------------------------------------------------------
def phone_normalize(raw: str, *, office: bool = False) -> str:
    """E.164 for a US (or US territory) number a person or office answers; PhoneRejected otherwise."""
    try:
        number = parse_us_phone(raw)
    except InvalidPhone as exc:
        if exc.reason == "unparseable":
            raise PhoneRejected("Enter a US phone number, like 802-555-0123.") from exc
        raise PhoneRejected("This is not a valid phone number.") from exc
    if phonenumbers.region_code_for_number(number) not in PHONE_REGIONS:
        raise PhoneRejected("Only US phone numbers can be called.")
    if phonenumbers.number_type(number) not in (_OFFICE_TYPES if office else _PERSON_TYPES):
        raise PhoneRejected("Premium-rate, toll-free and other special numbers cannot be called.")
    return e164(number)


def phone_hash(e164: str) -> str:
    return keyed_hash(e164, purpose="call-phone")


def ip_normalize(ip: str) -> str:
    """One spelling per address ("0:0:0:0:0:0:0:1" is "::1"), so a block matches however it was typed."""
    return ipaddress.ip_address(ip.strip()).compressed


def ip_hash(ip: str) -> str:
    try:
        ip = ip_normalize(ip)
    except ValueError:
        ip = ip.strip()
    return keyed_hash(ip, purpose="call-ip")


def _office_phone(raw: str) -> str:
    try:
        return phone_normalize(raw, office=True)
    except PhoneRejected:
        return ""


# --- call actions ---------------------------------------------------------------------------------
def call_action_validate(action: CallAction) -> None:
    """Raise Django's ValidationError for an action that could never place a good call."""
    errors: dict[str, list[str]] = {}
    if action.target_rule == TargetRule.SPECIFIC and not action.bioguide_ids:
        errors["bioguide_ids"] = ["List at least one bioguide id."]
    if action.target_rule == TargetRule.COMMITTEE and not action.committee_id:
        errors["committee_id"] = ["Name the committee."]
    if action.target_rule == TargetRule.CUSTOM:
        if not action.custom_targets:
            errors["custom_targets"] = ["Add at least one target with a name and a phone."]
        for item in action.custom_targets or []:
            if not isinstance(item, dict) or not item.get("name") or not item.get("phone"):
                errors["custom_targets"] = ['Each target needs "name" and "phone".']
                break
            if item.get("title") is None:
                item["title"] = ""
            # The name doubles as the leg's office label (120 characters); the title is a leg column (40).
            if not isinstance(item["name"], str) or len(item["name"]) > CUSTOM_NAME_MAX:
                errors["custom_targets"] = [f'A target\'s "name" is text of at most {CUSTOM_NAME_MAX} characters.']
                break
            if not isinstance(item["title"], str) or len(item["title"]) > CUSTOM_TITLE_MAX:
                errors["custom_targets"] = [f'A target\'s "title" is text of at most {CUSTOM_TITLE_MAX} characters.']
                break
            try:
                item["phone"] = phone_normalize(str(item["phone"]), office=True)
            except PhoneRejected as exc:
                errors["custom_targets"] = [f"{item['name']}: {exc}"]
                break
    clean_ids = []
    for number in action.caller_ids or []:
        try:
            clean_ids.append(phone_normalize(str(number), office=True))
        except PhoneRejected as exc:
            errors["caller_ids"] = [f"{number}: {exc}"]
    action.caller_ids = clean_ids
    if errors:
        raise DjangoValidationError(errors)


def call_action_create(*, campaign: Campaign, name: str, script: str, **fields) -> CallAction:
    action = CallAction(campaign=campaign, name=name, script=script, **fields)
    call_action_validate(action)
    action.full_clean(exclude=["campaign"])
    action.save()
    return action


def call_action_is_live(action: CallAction, now: datetime | None = None) -> bool:
    return live_call_actions(now).filter(pk=action.pk).exists()


def _pick_caller_id(action: CallAction, phone: str, seed: str) -> str:
    numbers = list(action.caller_ids or []) or [settings.TWILIO_CALLER_ID]
    # A number in the supporter's own area code is answered more often than a stranger's.
    local = [n for n in numbers if phone and n[:5] == phone[:5]]
    pool = local or numbers
    return pool[int(seed.replace("-", "")[:8], 16) % len(pool)]


# --- limits and the blocklist --------------------------------------------------------------------
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


def _serialize_phone(digest: str) -> None:
    """Hold a per-phone lock until the transaction ends, so two starts for one phone check limits in turn."""
    transaction_lock(int(digest[:15], 16))


def _window_full(*, now: datetime, window: timedelta, limit: int, **match) -> int | None:
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


def _check_limits(*, action: CallAction, phone_digest: str, ip_digest: str, now: datetime) -> None:
    limit = action.phone_daily_limit or settings.CALL_PHONE_DAILY_LIMIT
    wait = _window_full(now=now, window=timedelta(hours=24), limit=limit, phone_hash=phone_digest)
    if wait is not None:
        raise CallLimited(f"This phone has made {limit} calls in the last day; try again later.", wait)
    hourly = settings.CALL_IP_HOURLY_LIMIT
    if ip_digest and hourly and settings.THROTTLES_ENABLED:
        wait = _window_full(now=now, window=timedelta(hours=1), limit=hourly, ip_hash=ip_digest)
        if wait is not None:
            raise CallLimited("Too many calls from this network; try again later.", wait)


# --- offices ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OfficeChoice:
    kind: str
    label: str
    phone: str
    office: Office | None = None


def _zip_point(postal_code: str) -> tuple[float, float] | None:
    info = usps.zip_info(postal_code[:5]) if postal_code else None
    if info and info.lat and info.lon:
        return info.lat, info.lon
    return None


def _district_offices(legislator: Legislator, *, near: str = "", exclude: set[int] | frozenset = frozenset()):
    offices = [o for o in legislator.offices.all() if o.pk not in exclude and _office_phone(o.phone)]
    point = _zip_point(near)
    if point and offices:

        def distance(o: Office) -> float:
            if o.latitude is None or o.longitude is None:
                return math.inf
            return (o.latitude - point[0]) ** 2 + ((o.longitude - point[1]) * math.cos(math.radians(point[0]))) ** 2

        offices.sort(key=distance)
    return offices


def _district_choice(office: Office) -> OfficeChoice:
    return OfficeChoice(CallLeg.OfficeKind.DISTRICT, office.city or "district", _office_phone(office.phone), office)


def _first_open(offices: list[Office], now: datetime) -> Office | None:
    return next((office for office in offices if office_hours.district_office_open(office, now)), None)


def _open_district_office(legislator, *, near: str, now: datetime, exclude=frozenset()) -> Office | None:
    return _first_open(_district_offices(legislator, near=near, exclude=exclude), now)


def _first_office(target: Target, postal_code: str) -> OfficeChoice | None:
    if target.legislator is None:
        phone = _office_phone(target.phone)
        return OfficeChoice(CallLeg.OfficeKind.CUSTOM, target.title or target.name, phone) if phone else None
    dc_phone = _office_phone(target.legislator.phone)
    if dc_phone:
        return OfficeChoice(CallLeg.OfficeKind.DC, "Washington, DC", dc_phone)
    offices = _district_offices(target.legislator, near=postal_code)
    return _district_choice(offices[0]) if offices else None


def _any_office_open(targets: list[Target], postal_code: str, now: datetime) -> bool:
    if office_hours.dc_open(now):
        return True
    return any(t.legislator and _open_district_office(t.legislator, near=postal_code, now=now) for t in targets)


# --- starting a session ----------------------------------------------------------------------------
def _lookup(postal_code: str, street: str):
    try:
        return constituent_lookup(postal_code=postal_code, street=street)
    except LookupUnavailable as exc:
        raise CallUnavailable(str(exc)) from exc


def _needs_lookup(action: CallAction) -> bool:
    return action.target_rule in (TargetRule.SENATORS, TargetRule.REPRESENTATIVE, TargetRule.BOTH, TargetRule.COMMITTEE)


def _plan_offices(targets: list[Target], postal_code: str) -> list[tuple[Target, OfficeChoice]]:
    """Each target with the first office to dial; a target with no office to call is dropped."""
    planned = []
    for target in targets:
        choice = _first_office(target, postal_code)
        if choice is not None:
            planned.append((target, choice))
    return planned


def _create_legs(session: CallSession, planned: list[tuple[Target, OfficeChoice]]) -> list[CallLeg]:
    legs = [
        CallLeg(
            session=session,
            position=position,
            target_key=target.key,
            legislator=target.legislator,
            name=target.name,
            title=target.title,
            office_kind=choice.kind,
            office=choice.office,
            office_label=choice.label,
            phone=choice.phone,
        )
        for position, (target, choice) in enumerate(planned)
    ]
    return CallLeg.objects.bulk_create(legs)


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
    _check_limits(action=action, phone_digest=digest, ip_digest=ip_digest, now=now)

    lookup = _lookup(postal_code, address) if _needs_lookup(action) else None
    try:
        targets = action_targets(action, lookup)
    except NeedsAddress as exc:
        raise DjangoValidationError(
            {"address": ["This ZIP code spans several districts: add your street address to find your representative."]}
        ) from exc
    planned = _plan_offices(targets, postal_code)
    if not planned:
        raise DjangoValidationError({"postal_code": ["There is no office to call for this ZIP code in this campaign."]})
    targets = [target for target, _ in planned]
    if action.after_hours == CallAction.AfterHours.SKIP and not _any_office_open(targets, postal_code, now):
        raise OfficesClosed(f"The offices are closed now. {office_hours.hours_text()}")

    with transaction.atomic():
        # Two requests for the same phone at once must not both slip under the daily limit.
        _serialize_phone(digest)
        _check_limits(action=action, phone_digest=digest, ip_digest=ip_digest, now=now)
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
        session.started_legs = _create_legs(session, planned)
        from outreach.tasks.calls import call_place

        call_place.delay_on_commit(str(session.id))
    log.info("call session started id=%s legs=%s", session.id, len(targets))
    return session


# --- placing the call (the Celery task's body) ----------------------------------------------------
def webhook_url(name: str, **kwargs) -> str:
    return settings.PUBLIC_BASE_URL + reverse(name, kwargs=kwargs)


def call_session_place(*, session_id: str) -> str | None:
    """Claim a queued session and ask the provider to ring the supporter. Returns the provider's id, or
    None when another run already claimed it. A transient error hands the session back to the queue."""
    from outreach.telephony import PermanentTelephonyError, TransientTelephonyError

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


def call_session_fail(*, session_id, error: str, statuses=(CallSession.Status.QUEUED, CallSession.Status.PLACING)):
    now = timezone.now()
    changed = CallSession.objects.filter(pk=session_id, status__in=statuses).update(
        status=CallSession.Status.FAILED, error=error, ended_at=now, updated_at=now
    )
    if changed:
        CallLeg.objects.filter(session_id=session_id, status=CallLeg.Status.PENDING).update(
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
    fields: dict = {"status": status, "updated_at": now}
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
        other = _open_district_office(leg.legislator, near=session.postal_code, now=now, exclude=tried)
        if other is not None:
            _switch_office(leg, _district_choice(other))
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
    session = leg.session
    candidates = _district_offices(leg.legislator, near=session.postal_code, exclude=exclude)
    office = _first_open(candidates, now)
    # With office hours off, every office counts as open, so `office` is only None when none is left.
    if office is None and session.action.after_hours == CallAction.AfterHours.VOICEMAIL:
        # Closed everywhere, but this campaign leaves voicemails: the nearest district office will do.
        office = candidates[0] if candidates else None
    if office is None:
        return
    choice = _district_choice(office)
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


# --- the call-in line ------------------------------------------------------------------------------
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
    return _window_full(now=now, window=timedelta(hours=1), limit=hourly, phone_hash=digest) is not None


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
            _check_limits(action=action, phone_digest=digest, ip_digest="", now=now)
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
            lookup = congress_selectors.zip_lookup(digits) if _needs_lookup(action) else None
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
        legs = _create_legs(session, _plan_offices(targets, digits))
    if not legs:
        CallSession.objects.filter(pk=session.pk, outcome=CallSession.Outcome.NONE).update(
            outcome=CallSession.Outcome.NO_TARGETS
        )
    return ZipResult(ok=True, split=split, legs=legs)


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


# --- demo ------------------------------------------------------------------------------------------
DEMO_SCRIPT = (
    "Hello, I'm a constituent calling from ZIP code [your ZIP]. I'm asking the member to support a "
    "moratorium on face recognition in immigration enforcement and law enforcement, until Congress and the "
    "public debate which uses, if any, should be allowed. In 2018 Amazon's Rekognition falsely matched 28 "
    "members of Congress with arrest photos. Congress has never authorized this technology. Thank you."
)


def call_action_demo_seed(*, campaign: Campaign | None = None) -> CallAction:
    """The demo call action: the caller's two senators, then their representative. Idempotent."""
    if campaign is None:
        from campaign.services import demo_campaign_seed

        campaign = demo_campaign_seed()
    action, _ = CallAction.objects.update_or_create(
        campaign=campaign,
        name="Call your members of Congress",
        defaults={
            "script": DEMO_SCRIPT,
            "target_rule": TargetRule.BOTH,
            "target_order": "senate_first",
            "max_targets": 3,
            "is_active": True,
        },
    )
    return action
