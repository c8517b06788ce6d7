"""Writing a letter: the campaign's text made personal, the writer's own members found from their address,
and one letter per member saved and handed to delivery."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from congress import selectors as congress_selectors
from congress.models import Legislator
from contacts.models import Contact
from contacts.phones import InvalidPhone, normalize_us_phone
from contacts.services import District, contact_upsert
from outreach import publish
from outreach.lookup import constituent_lookup
from outreach.models import CwcOffice, Letter, LetterAction, LetterEvent, LetterSubmission
from outreach.services.letter_errors import LetterInputError
from outreach.services.letter_moderation import moderation_reasons
from outreach.services.letter_routes import cwc_offices_for, letter_recipient_fields, letter_route
from outreach.targets import NeedsAddress, TargetRule, resolve_targets

Status = Letter.Status
Channel = Letter.Channel
SUBJECT_MAX = Letter._meta.get_field("subject").max_length  # the one limit on a letter's subject

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
    previews: list[dict[str, str]]


def _clean_phone(phone: str) -> str:
    if not phone:
        return ""
    try:
        return normalize_us_phone(phone)
    except InvalidPhone as exc:
        raise LetterInputError(errors={"phone": ["Enter a valid phone number."]}) from exc


def _lookup(*, address_line: str, locality: str, region: str, postal_code: str) -> congress_selectors.Lookup:
    try:
        found: congress_selectors.Lookup = constituent_lookup(
            postal_code=postal_code, street=address_line, locality=locality, region=region
        )
        return found
    except ValidationError as exc:
        # The shared lookup names the street "address"; the letter form calls it "address_line".
        errors = {("address_line" if k == "address" else k): v for k, v in exc.message_dict.items()}
        raise LetterInputError(errors=errors) from exc


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
        raise LetterInputError(errors=errors)

    lookup = _lookup(address_line=address_line, locality=locality, region=region, postal_code=postal_code)
    if lookup.state and region and lookup.state != region.upper():
        raise LetterInputError(errors={"region": [f"This address is in {lookup.state}, not {region.upper()}."]})
    try:
        targets = resolve_targets(
            rule=TargetRule.BOTH if action.target_rule == TargetRule.SPECIFIC else action.target_rule,
            lookup=lookup,
            order=action.target_order,
        )
    except NeedsAddress as exc:
        raise LetterInputError(
            errors={
                "address_line": ["We could not tell your congressional district from this address; check the street."]
            }
        ) from exc
    legislators = [t.legislator for t in targets if t.legislator is not None]
    if action.target_rule == TargetRule.SPECIFIC:
        # Only the writer's own members among the chosen ones: offices weigh constituents, and others drop it.
        wanted = set(action.target_bioguide_ids)
        legislators = [leg for leg in legislators if leg.bioguide_id in wanted]
    if not legislators:
        raise LetterInputError(errors={"address_line": ["None of this letter's recipients represent this address."]})

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
        raise LetterInputError(errors={"prefix": [f"Choose one of: {', '.join(settings.LETTERS_PREFIXES)}."]})
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
                submission_id=cast(uuid.UUID, letters[0].submission_id),  # a writer's letter has its submission
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
        publish.deliver_letters(to_send)
    return SubmitResult(submission_id=submission.pk, letters=letters)


def _letter_create(
    *,
    action: LetterAction,
    contact: Contact,
    submission: LetterSubmission,
    legislator: Legislator,
    preview: dict[str, str],
    held_for: list[str],
    offices: dict[str, CwcOffice],
) -> Letter | None:
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
                **letter_recipient_fields(legislator, route),
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
