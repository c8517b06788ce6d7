"""Letters: writing them, choosing each office's channel, moderating, and delivering exactly once."""

from __future__ import annotations

import logging
import os
import random
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from congress import selectors as congress_selectors
from congress.models import Legislator
from contacts.phones import InvalidPhone, normalize_us_phone
from contacts.services import District, contact_upsert
from outreach.delivery import PermanentDeliveryError, TransientDeliveryError
from outreach.delivery import cwc as cwc_api
from outreach.delivery import email as email_channel
from outreach.lookup import constituent_lookup
from outreach.models import CwcOffice, Letter, LetterAction, LetterEvent, LetterSubmission
from outreach.targets import NeedsAddress, TargetRule, resolve_targets

log = logging.getLogger(__name__)

Status = Letter.Status
Channel = Letter.Channel
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
SUBJECT_MAX = Letter._meta.get_field("subject").max_length  # the one limit on a letter's subject


class LetterInputError(Exception):
    """Per-field problems with a submission: {field: [messages]}."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("invalid letter")
        self.errors = errors


# --- Rendering -------------------------------------------------------------------------------------


def _render(template: str, context: dict[str, str]) -> str:
    # Plain replacement, not str.format: organizers' text may hold braces of its own.
    out = template
    for key, value in context.items():
        out = out.replace("{" + key + "}", value)
    return out


def district_label(state: str, district: int | None) -> str:
    if district is None:
        return state
    return f"{state}-AL" if district == 0 else f"{state}-{district:02d}"


def letter_context(*, legislator: Legislator | None, given_name: str, family_name: str, city: str, state: str,
                   district: int | None) -> dict[str, str]:  # fmt: skip
    return {
        "legislator_title": legislator.title if legislator else "",
        "legislator_name": legislator.display_name if legislator else "",
        "legislator_last_name": legislator.last_name if legislator else "",
        "given_name": given_name,
        "family_name": family_name,
        "full_name": f"{given_name} {family_name}".strip(),
        "city": city,
        "state": state,
        "district": district_label(state, district),
    }


def letter_render(*, action: LetterAction, context: dict[str, str]) -> tuple[str, str]:
    """The personalised (subject, body) of the campaign's text."""
    return _render(action.subject_template, context), _render(action.body_template, context)


# --- Moderation --------------------------------------------------------------------------------------


def moderation_reasons(text: str) -> list[str]:
    """Why a writer's own text needs an organizer's review before it goes out (empty: it does not)."""
    if not text:
        return []
    reasons = []
    for pattern in settings.LETTERS_MODERATION_PATTERNS:
        if re.search(pattern, text, re.IGNORECASE):
            reasons.append("matches a moderation pattern")
            break
    if len(text) > settings.LETTERS_MODERATION_MAX_LENGTH:
        reasons.append(f"longer than {settings.LETTERS_MODERATION_MAX_LENGTH} characters")
    links = len(_URL.findall(text))
    if links > settings.LETTERS_MODERATION_MAX_LINKS:
        reasons.append(f"more than {settings.LETTERS_MODERATION_MAX_LINKS} links")
    return reasons


# --- Channels ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    channel: str
    office_code: str = ""
    destination: str = ""


def _house_code(legislator: Legislator) -> str | None:
    if legislator.chamber == "senate" or legislator.district is None:
        return None
    return f"H{legislator.state}{legislator.district:02d}"


def cwc_offices_for(legislators: list[Legislator]) -> dict[str, CwcOffice]:
    """The listed CWC office of each member who has one (bioguide_id -> office), in one query. Codes come
    only from the stored /offices listings: a listing that names the member wins; a House code is
    otherwise matched against the listed codes."""
    ids = [leg.bioguide_id for leg in legislators]
    codes = [code for code in map(_house_code, legislators) if code]
    rows = list(CwcOffice.objects.filter(Q(bioguide_id__in=ids) | Q(code__in=codes), active=True))
    found = {}
    for leg in legislators:
        chamber = CwcOffice.Chamber.SENATE if leg.chamber == "senate" else CwcOffice.Chamber.HOUSE
        mine = [office for office in rows if office.chamber == chamber]
        office = next((o for o in mine if o.bioguide_id == leg.bioguide_id), None)
        if office is None and _house_code(leg):
            office = next((o for o in mine if o.code == _house_code(leg)), None)
        if office is not None:
            found[leg.bioguide_id] = office
    return found


def letter_route(
    *, action: LetterAction | None, legislator: Legislator, allow_cwc: bool = True, offices: dict | None = None
) -> Route:
    """`offices`: cwc_offices_for() of the submission's members, read once for all of them; needed only when
    `allow_cwc` (a caller that leaves it out gets no CWC route)."""
    chamber = cwc_api.SENATE if legislator.chamber == "senate" else cwc_api.HOUSE
    if allow_cwc and cwc_api.is_configured(chamber):
        office = (offices or {}).get(legislator.bioguide_id)
        if office is not None:
            channel = Channel.CWC_SENATE if chamber == cwc_api.SENATE else Channel.CWC_HOUSE
            return Route(channel=channel, office_code=office.code)
    email_to = (action.email_offices or {}).get(legislator.bioguide_id) if action else None
    if email_to:
        return Route(channel=Channel.EMAIL, destination=email_to)
    if settings.LETTERS_OUTBOX_ENABLED:
        return Route(channel=Channel.OUTBOX)
    return Route(channel=Channel.WEB_FORM, destination=legislator.contact_form or legislator.url)


# --- Writing a letter --------------------------------------------------------------------------------


@dataclass
class SubmitResult:
    submission_id: uuid.UUID
    letters: list[Letter]


@dataclass
class Draft:
    """What a submission would produce, before anything is saved (also the page's preview)."""

    lookup: congress_selectors.Lookup
    legislators: list[Legislator]
    subject_edited: str
    message: str
    previews: list[dict]


def _clean_phone(phone: str) -> str:
    if not phone:
        return ""
    try:
        return normalize_us_phone(phone)
    except InvalidPhone as exc:
        raise LetterInputError({"phone": ["Enter a valid phone number."]}) from exc


def _lookup(*, address_line: str, locality: str, region: str, postal_code: str) -> congress_selectors.Lookup:
    try:
        return constituent_lookup(postal_code=postal_code, street=address_line, locality=locality, region=region)
    except ValidationError as exc:
        # The shared lookup names the street "address"; the letter form calls it "address_line".
        errors = {("address_line" if k == "address" else k): v for k, v in exc.message_dict.items()}
        raise LetterInputError(errors) from exc


def letter_draft(
    *,
    action: LetterAction,
    given_name: str,
    family_name: str,
    address_line: str,
    locality: str,
    region: str,
    postal_code: str,
    subject: str | None = None,
    message: str | None = None,
) -> Draft:
    """Validate the writer's text and find their own members from the ADDRESS; raise LetterInputError."""
    errors: dict[str, list[str]] = {}
    subject_edited = ""
    if subject is not None and subject.strip():
        if not action.subject_editable:
            errors["subject"] = ["The subject of this letter cannot be changed."]
        else:
            subject_edited = subject.strip()
    text = (message or "").strip()
    if message is not None and not text:
        errors["message"] = ["The message may not be empty."]
    elif text and not action.message_editable:
        errors["message"] = ["This letter does not take a personal message."]
    elif len(text) > settings.LETTERS_MESSAGE_MAX_LENGTH:
        errors["message"] = [f"The message is longer than {settings.LETTERS_MESSAGE_MAX_LENGTH} characters."]
    elif not text and not action.body_template.strip():
        errors["message"] = ["Write your message."]
    if text and text == action.message_prompt.strip():
        text = ""  # the untouched prompt is not the writer's own words
    if errors:
        raise LetterInputError(errors)

    lookup = _lookup(address_line=address_line, locality=locality, region=region, postal_code=postal_code)
    if lookup.state and region and lookup.state != region.upper():
        raise LetterInputError({"region": [f"This address is in {lookup.state}, not {region.upper()}."]})
    try:
        targets = resolve_targets(
            rule=TargetRule.BOTH if action.target_rule == TargetRule.SPECIFIC else action.target_rule,
            lookup=lookup,
            order=action.target_order,
        )
    except NeedsAddress as exc:
        raise LetterInputError(
            {"address_line": ["We could not tell your congressional district from this address; check the street."]}
        ) from exc
    legislators = [t.legislator for t in targets if t.legislator is not None]
    if action.target_rule == TargetRule.SPECIFIC:
        # Only the writer's own members among the chosen ones: offices weigh constituents, and others drop it.
        wanted = set(action.target_bioguide_ids)
        legislators = [leg for leg in legislators if leg.bioguide_id in wanted]
    if not legislators:
        raise LetterInputError({"address_line": ["None of this letter's recipients represent this address."]})

    previews = []
    for leg in legislators:
        ctx = letter_context(
            legislator=leg,
            given_name=given_name,
            family_name=family_name,
            city=locality,
            state=lookup.state or region,
            district=lookup.district,
        )
        subj, body = letter_render(action=action, context=ctx)
        # A long template plus a long name may outgrow the column (PostgreSQL refuses it: a 500).
        subj = subj[:SUBJECT_MAX]
        previews.append(
            {
                "bioguide_id": leg.bioguide_id,
                "name": leg.display_name,
                "title": leg.title,
                "subject": subject_edited or subj,
                "body": body,
                "message": text,
            }
        )
    return Draft(lookup=lookup, legislators=legislators, subject_edited=subject_edited, message=text, previews=previews)


def letter_submit(
    *,
    action: LetterAction,
    prefix: str,
    given_name: str,
    family_name: str,
    email: str,
    address_line: str,
    locality: str,
    region: str,
    postal_code: str,
    phone: str = "",
    subject: str | None = None,
    message: str | None = None,
) -> SubmitResult:
    """Create one letter per own member (idempotent per action, writer and member) and enqueue them after
    commit. A resubmission returns the letters that exist and sends nothing again."""
    if prefix not in settings.LETTERS_PREFIXES:
        raise LetterInputError({"prefix": [f"Choose one of: {', '.join(settings.LETTERS_PREFIXES)}."]})
    phone = _clean_phone(phone)
    region = region.upper()
    draft = letter_draft(
        action=action,
        given_name=given_name,
        family_name=family_name,
        address_line=address_line,
        locality=locality,
        region=region,
        postal_code=postal_code,
        subject=subject,
        message=message,
    )
    lookup = draft.lookup
    # Everything the writer typed that reaches the office: the names and city are put into the body too.
    edited = "\n".join(t for t in (draft.subject_edited, draft.message, given_name, family_name, locality) if t)
    held_for = moderation_reasons(edited)

    with transaction.atomic():
        contact, _ = contact_upsert(
            email=email,
            source=f"letter:{action.slug}",
            given_name=given_name,
            family_name=family_name,
            phone=phone,
            address_line=address_line,
            locality=locality,
            region=region,
            postal_code=postal_code,
            # Only a district placed from the street address is worth keeping on the person.
            district=District.from_lookup(lookup) if lookup.accuracy == "address" else None,
        )
        existing = {letter.bioguide_id: letter for letter in Letter.objects.filter(action=action, contact=contact)}
        missing = [leg for leg in draft.legislators if leg.bioguide_id not in existing]
        if not missing:
            letters = [existing[leg.bioguide_id] for leg in draft.legislators]
            return SubmitResult(
                submission_id=letters[0].submission_id,
                letters=letters,
            )
        submission = LetterSubmission.objects.create(
            action=action,
            contact=contact,
            prefix=prefix,
            given_name=given_name,
            family_name=family_name,
            email=email,
            phone=phone,
            address_line=address_line,
            locality=locality,
            region=region,
            postal_code=postal_code,
            subject=draft.subject_edited,
            message=draft.message,
            district_state=lookup.state or region,
            district=lookup.district,
            district_congress=lookup.congress,
            district_accuracy=lookup.accuracy or "",
        )
        previews = {p["bioguide_id"]: p for p in draft.previews}
        offices = cwc_offices_for(draft.legislators)
        letters, to_send = [], []
        for leg in draft.legislators:
            if leg.bioguide_id in existing:
                letters.append(existing[leg.bioguide_id])
                continue
            letter = _letter_create(
                action=action, contact=contact, submission=submission, legislator=leg,
                preview=previews[leg.bioguide_id], held_for=held_for, offices=offices,
            )  # fmt: skip
            if letter is None:  # a concurrent identical submission created it first
                letter = Letter.objects.get(action=action, contact=contact, bioguide_id=leg.bioguide_id)
            elif letter.status == Status.QUEUED:
                to_send.append(letter.pk)
            letters.append(letter)
        letters_enqueue_on_commit(to_send)
    return SubmitResult(submission_id=submission.pk, letters=letters)


def _letter_create(*, action, contact, submission, legislator, preview, held_for, offices) -> Letter | None:
    route = letter_route(action=action, legislator=legislator, offices=offices)
    if route.channel == Channel.WEB_FORM:
        status, detail = Status.NEEDS_WEB_FORM, "no delivery channel reaches this office; use its web form"
    elif held_for:
        status, detail = Status.HELD, "held for review: " + "; ".join(held_for)
    else:
        status, detail = Status.QUEUED, ""
    try:
        with transaction.atomic():
            letter = Letter.objects.create(
                action=action,
                contact=contact,
                submission=submission,
                bioguide_id=legislator.bioguide_id,
                recipient_name=legislator.display_name,
                recipient_title=legislator.title,
                chamber=legislator.chamber,
                channel=route.channel,
                office_code=route.office_code,
                destination=route.destination,
                subject=preview["subject"],
                body=preview["body"],
                constituent_message=preview["message"],
                status=status,
                moderation_reason="; ".join(held_for) if status == Status.HELD else "",
                queued_at=timezone.now() if status == Status.QUEUED else None,
            )
            LetterEvent.objects.create(letter=letter, status=status, detail=detail[:500])
    except IntegrityError:
        return None
    return letter


def letters_enqueue_on_commit(letter_ids: list) -> None:
    if not letter_ids:
        return
    from outreach.tasks.letters import deliver_letter

    ids = [str(i) for i in letter_ids]

    def _enqueue():
        for letter_id in ids:
            deliver_letter.delay(letter_id)

    transaction.on_commit(_enqueue)


# --- Moderation decisions ------------------------------------------------------------------------------


def letter_approve(*, letter: Letter, by: str = "") -> bool:
    """Release a held letter to delivery. False if it was no longer held."""
    with transaction.atomic():
        done = Letter.objects.filter(pk=letter.pk, status=Status.HELD).update(
            status=Status.QUEUED, queued_at=timezone.now(), updated_at=timezone.now()
        )
        if done:
            LetterEvent.objects.create(letter_id=letter.pk, status=Status.QUEUED, detail=f"approved {by}".strip())
            letters_enqueue_on_commit([letter.pk])
    return bool(done)


def letter_reject(*, letter: Letter, reason: str, by: str = "") -> bool:
    reason = reason.strip()
    if not reason:
        raise LetterInputError({"reason": ["Say why the letter is rejected."]})
    with transaction.atomic():
        done = Letter.objects.filter(pk=letter.pk, status=Status.HELD).update(
            status=Status.REJECTED, rejection_reason=reason[:300], updated_at=timezone.now()
        )
        if done:
            LetterEvent.objects.create(
                letter_id=letter.pk, status=Status.REJECTED, detail=f"rejected {by}: {reason}".strip()[:500]
            )
    return bool(done)


# --- Delivery --------------------------------------------------------------------------------------------


def _parse_rate(rate: str | None) -> tuple[int, int] | None:
    if not rate:
        return None
    count, _, per = rate.partition("/")
    period = {"s": 1, "m": 60, "h": 3600, "d": 86400}[per.strip()[0]]
    return int(count), period


_redis_clients: dict[int, object] = {}


def _redis():
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


def _claim(letter_id) -> tuple[str | None, float | None, str]:
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


def _release(letter_id, token: str, wait: float) -> None:
    """Hand a claimed letter back untouched (a rate limit said not yet): the claim was not an attempt."""
    now = timezone.now()
    Letter.objects.filter(pk=letter_id, status=Status.SENDING, claim_token=token).update(
        status=Status.QUEUED, claim_token="", attempts=F("attempts") - 1, updated_at=now,
        next_attempt_at=now + timedelta(seconds=wait),
    )  # fmt: skip


def _finish(letter_id, token: str, status: str, detail: str = "", *, attempt=None, **fields) -> bool:
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
    sub = letter.submission
    action = letter.action
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


def letter_deliver(*, letter_id, retry_delay: Callable[[int], float]) -> DeliveryOutcome:
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


def _after_transient(letter: Letter, token: str, error: str, retry_delay, attempt) -> DeliveryOutcome:
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
    from outreach.tasks.letters import deliver_letter

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
        deliver_letter.delay(str(letter_id))
    return len(ids)


# --- CWC office list -------------------------------------------------------------------------------------


@dataclass
class OfficeSync:
    chamber: str
    listed: int
    added: int
    deactivated: int


def cwc_offices_sync(*, chamber: str) -> OfficeSync:
    """Store the chamber's /offices listing. Codes not listed any more stay, marked inactive."""
    listing = cwc_api.list_offices(chamber=chamber)
    if not listing:
        # An empty (or unreadable) listing is an API problem, not every office leaving CWC at once:
        # deactivating them all would silently move every letter to the outbox.
        raise cwc_api.CwcPermanentError(f"{chamber} CWC offices: the listing names no office; offices kept")
    now = timezone.now()
    added = 0
    with transaction.atomic():
        for item in listing:
            office, created = CwcOffice.objects.get_or_create(
                code=item.code,
                defaults={
                    "chamber": chamber,
                    "name": item.name,
                    "bioguide_id": item.bioguide_id,
                    "synced_at": now,
                },  # fmt: skip
            )
            added += created
            if not created:
                office.chamber = chamber
                office.active = True
                office.synced_at = now
                if item.name:
                    office.name = item.name
                if item.bioguide_id:  # a manually set member is kept when the listing names none
                    office.bioguide_id = item.bioguide_id
                office.save()
        deactivated = (
            CwcOffice.objects.filter(chamber=chamber, active=True)
            .exclude(code__in=[i.code for i in listing])
            .update(active=False, synced_at=now)
        )
    return OfficeSync(chamber=chamber, listed=len(listing), added=added, deactivated=deactivated)


# --- Demo ----------------------------------------------------------------------------------------------

DEMO_LETTER_SLUG = "face-recognition-moratorium-letter"


def demo_letter_action_seed(*, campaign) -> LetterAction:
    """The demo campaign's letter. Safe to run any number of times."""
    action, _ = LetterAction.objects.update_or_create(
        slug=DEMO_LETTER_SLUG,
        defaults={
            "campaign": campaign,
            "title": "Write to your members of Congress",
            "intro": "Ask your senators and representative to support a moratorium on face recognition.",
            "subject_template": "Support a moratorium on face recognition",
            "body_template": (
                "Dear {legislator_title} {legislator_last_name},\n\n"
                "As your constituent in {city} ({district}), I ask you to support a moratorium on the use of "
                "face recognition in immigration enforcement and law enforcement, until Congress and the "
                "public have debated which uses, if any, should be allowed.\n\n"
                "Sincerely,\n{full_name}"
            ),
            "subject_editable": True,
            "message_editable": True,
            "message_prompt": "",
            "topics": ["Civil Rights and Liberties, Minority Issues", "Crime and Law Enforcement", "Immigration"],
            "stance": LetterAction.Stance.PRO,
            "target_rule": TargetRule.BOTH,
        },
    )
    return action


def letters_requeue_failed(*, letter_ids: list) -> int:
    """An organizer's retry of failed letters (after fixing an office code, say). Same DeliveryId."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(Letter.objects.filter(pk__in=letter_ids, status=Status.FAILED).values_list("pk", flat=True))
        Letter.objects.filter(pk__in=ids, status=Status.FAILED).update(
            status=Status.QUEUED, queued_at=now, next_attempt_at=None, updated_at=now
        )
        LetterEvent.objects.bulk_create(
            [LetterEvent(letter_id=i, status=Status.QUEUED, detail="retry requested") for i in ids]
        )
        letters_enqueue_on_commit(ids)
    return len(ids)
