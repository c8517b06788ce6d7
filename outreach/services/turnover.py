"""Queued outreach when the roster changes: nothing meant for a member who left office reaches the
departed office.

Registered with congress.turnover from outreach/apps.py, so it runs inside the load's transaction:
- a letter not yet delivered to a departed member is held as "target left office" at once; once the
  load commits, a task refreshes the CWC office codes and then re-targets each held letter (see
  letter_retarget): a senator's to the successor in the same seat (same state, same Senate class),
  re-rendered with the successor's name; a writer's House letter to the member their street address
  names now; a petition's House letter stays held and its signers go back to the next delivery run;
- a call leg not yet dialed to a departed member is closed as "left office" (a caller is never patched
  through to an office that no longer answers for them), and a leg not yet dialed to a DC office whose
  number changed gets the new number;
- the CWC office codes are fetched again once the load commits (also when members joined or moved).
Letters already handed to an office, and calls already ringing, are history and stay as they are.
"""

from __future__ import annotations

import logging
import uuid

from django.db import transaction
from django.utils import timezone

from congress import selectors as congress_selectors
from congress.models import Legislator
from congress.turnover import RosterChange
from outreach import publish
from outreach.models import CallLeg, Letter, LetterEvent, LetterSubmission, PetitionDeliveredSignature
from outreach.services.letter_compose import SUBJECT_MAX, letter_context, letter_render
from outreach.services.letter_routes import cwc_offices_for, letter_recipient_fields, letter_route
from outreach.services.petition_delivery import petition_letter_text

log = logging.getLogger(__name__)

Status = Letter.Status
# Not yet in an office's hands: a printed outbox letter still has to be carried there.
UNDELIVERED = (Status.HELD, Status.QUEUED, Status.NEEDS_WEB_FORM, Status.IN_OUTBOX, Status.TARGET_LEFT)
LEFT_DETAIL = "{name} left office"


def _successor(departed: Legislator) -> Legislator | None:
    """Who holds a departed senator's seat now: the in-office senator of the same state and class."""
    if departed.chamber != "senate" or departed.senate_class is None:
        return None
    return Legislator.objects.filter(
        in_office=True, chamber="senate", state=departed.state, senate_class=departed.senate_class
    ).first()


def _event(letter: Letter, status: str, detail: str) -> None:
    LetterEvent.objects.create(letter_id=letter.pk, status=status, detail=detail[:500])


def _retarget_writer_letter(letter: Letter, successor: Legislator, why: str) -> bool:
    """Point a writer's letter at `successor`: new recipient, route and text. False when the writer
    already has a letter to that member for this action (the unique rule), so this one stays held."""
    mine = Letter.objects.filter(action=letter.action_id, contact=letter.contact_id)
    if mine.filter(bioguide_id=successor.bioguide_id).exists():
        return False
    sub = letter.submission
    subject, body = letter.subject, letter.body
    if sub is not None and letter.action is not None:
        context = letter_context(
            legislator=successor, given_name=sub.given_name, family_name=sub.family_name, city=sub.locality,
            state=sub.district_state or sub.region, district=successor.district,
        )  # fmt: skip
        rendered_subject, body = letter_render(action=letter.action, context=context)
        subject = (sub.subject or rendered_subject)[:SUBJECT_MAX]
    _repoint(letter, successor, subject, body, why, allow_cwc=True)
    return True


def _approved(letter: Letter) -> bool:
    return LetterEvent.objects.filter(letter=letter, status=Status.QUEUED, detail__startswith="approved").exists()


def _repoint(letter: Letter, successor: Legislator, subject: str, body: str, why: str, *, allow_cwc: bool) -> None:
    offices = cwc_offices_for([successor]) if allow_cwc else {}
    route = letter_route(action=letter.action, legislator=successor, allow_cwc=allow_cwc, offices=offices)
    if route.channel == Letter.Channel.WEB_FORM:
        status = Status.NEEDS_WEB_FORM
    elif letter.moderation_reason and not _approved(letter):
        status = Status.HELD  # re-targeting is no moderator's approval
    else:
        status = Status.QUEUED
    now = timezone.now()
    Letter.objects.filter(pk=letter.pk).update(
        **letter_recipient_fields(successor, route), subject=subject, body=body, status=status,
        queued_at=now if status == Status.QUEUED else letter.queued_at, attempts=0, error="", updated_at=now,
    )  # fmt: skip
    _event(letter, status, f"re-targeted to {successor.display_name}: {why}")
    if status == Status.QUEUED:
        publish.deliver_letters([letter.pk])


def _letters_for_departed(change: RosterChange, work: dict[str, dict[str, int]]) -> list[str]:
    """Hold every undelivered letter to a departed member; the follow-up task re-targets them once the
    load has committed and the CWC office codes are fresh."""
    departed = {seat.bioguide_id: seat for seat in change.left}
    held = []
    for letter in Letter.objects.filter(bioguide_id__in=list(departed), status__in=UNDELIVERED).exclude(
        status=Status.TARGET_LEFT
    ):
        seat = departed[letter.bioguide_id]
        detail = LEFT_DETAIL.format(name=seat.name)
        if letter.petition_batch_id is not None and seat.chamber == "house":
            # The signers go back to the next delivery run, which sends them to whoever represents them now.
            PetitionDeliveredSignature.objects.filter(batch_id=letter.petition_batch_id).delete()
            detail += "; its signers go to the next delivery run"
        Letter.objects.filter(pk=letter.pk).update(status=Status.TARGET_LEFT, updated_at=timezone.now())
        _event(letter, Status.TARGET_LEFT, detail)
        counts = work.setdefault(seat.bioguide_id, {})
        counts["letters_held"] = counts.get("letters_held", 0) + 1
        held.append(str(letter.pk))
    return held


def _calls_for_departed(change: RosterChange, work: dict[str, dict[str, int]]) -> None:
    for seat in change.left:
        closed = CallLeg.objects.filter(legislator_id=seat.bioguide_id, status=CallLeg.Status.PENDING).update(
            status=CallLeg.Status.LEFT_OFFICE, ended_at=timezone.now()
        )
        if closed:
            work.setdefault(seat.bioguide_id, {})["call_legs_closed"] = closed


def _calls_for_new_phones(change: RosterChange, work: dict[str, dict[str, int]]) -> None:
    for _was, now in change.phone_changed:
        if not now.phone:
            continue
        moved = CallLeg.objects.filter(
            legislator_id=now.bioguide_id, status=CallLeg.Status.PENDING, office_kind=CallLeg.OfficeKind.DC
        ).update(phone=now.phone)
        if moved:
            work.setdefault(now.bioguide_id, {})["call_legs_renumbered"] = moved


def _work_for_movers(change: RosterChange, work: dict[str, dict[str, int]]) -> None:
    """A member who moved seat still serves: their queued letters go out, but the report says how many
    were written for the old seat, so an organizer can look."""
    for _was, now in change.moved:
        queued = Letter.objects.filter(bioguide_id=now.bioguide_id, status__in=UNDELIVERED).count()
        if queued:
            work.setdefault(now.bioguide_id, {})["letters_queued_for_old_seat"] = queued


def outreach_on_turnover(change: RosterChange) -> dict[str, dict[str, int]]:
    """The turnover handler: acts on queued letters and calls, returns what each change touched."""
    work: dict[str, dict[str, int]] = {}
    held = _letters_for_departed(change, work) if change.left else []
    _calls_for_departed(change, work)
    _calls_for_new_phones(change, work)
    _work_for_movers(change, work)
    if held or change.joined or change.left or change.moved:
        publish.after_roster_change(held)
    return work


def letter_retarget(*, letter_id: uuid.UUID | str) -> str:
    """Send a letter held because its member left office to whoever holds that place now.

    A senator's letter goes to the senator now in the seat (same state and class). A writer's letter to
    the House goes to the member the writer's address names now; it stays held when the address cannot
    name one (a ZIP alone that the current lines do not settle, a vacant seat). A petition's House letter
    stays held: its signers went back to the next delivery run. Returns the letter's status afterwards. A
    geocoder outage raises GeocoderUnavailable so the task retries later."""
    letter = Letter.objects.filter(pk=letter_id).select_related("submission", "action", "petition_batch").first()
    if letter is None or letter.status != Status.TARGET_LEFT:
        return letter.status if letter else ""
    departed = Legislator.objects.filter(pk=letter.bioguide_id).first()
    if departed is None or departed.in_office:
        return letter.status
    why = LEFT_DETAIL.format(name=departed.display_name)
    successor = _successor(departed)
    if successor is None and letter.chamber == "house" and letter.submission is not None:
        successor = _address_member(letter.submission)
        why = "the writer's address is now represented by them"
    if successor is None or successor.bioguide_id == letter.bioguide_id:
        return letter.status
    with transaction.atomic():
        if not Letter.objects.select_for_update().filter(pk=letter.pk, status=Status.TARGET_LEFT).exists():
            return Letter.objects.filter(pk=letter.pk).values_list("status", flat=True).first() or ""
        if letter.petition_batch is not None:
            subject, body = petition_letter_text(batch=letter.petition_batch, legislator=successor)
            _repoint(letter, successor, subject[:SUBJECT_MAX], body, why, allow_cwc=False)
        elif not _retarget_writer_letter(letter, successor, why):
            return letter.status
    return Letter.objects.filter(pk=letter.pk).values_list("status", flat=True).first() or ""


def _address_member(sub: LetterSubmission) -> Legislator | None:
    """The House member the writer's address names now, when it names exactly one."""
    address = ", ".join(p for p in (sub.address_line, sub.locality, f"{sub.region} {sub.postal_code}".strip()) if p)
    try:
        lookup = congress_selectors.representatives_lookup(
            zip=sub.postal_code or None, address=address or None, fallback_on_outage=False
        )
    except (congress_selectors.ZipNotFound, congress_selectors.AddressNotFound, ValueError):
        return None
    return lookup.representative
