"""Realistic bulk data for load tests and the metrics benchmark (`manage.py seed_load`).

Actions are spread over every House seat (districts hold equal populations, so a uniform draw over
seats is a population-weighted draw over people), over sources with a long tail, and over time with a
slow start, a viral spike and a decay. Rows are written with bulk inserts in batches; creation times are
set explicitly, so the auto_now_add defaults are switched off while loading.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Generic, TypeVar

from django.db import transaction
from django.utils import timezone

from congress.selectors import current_snapshot
from contacts.models import Contact
from organizing.models import Campaign
from outreach.models import CallFeedback, CallLeg, CallSession, Letter, LetterSubmission
from outreach.services.call_demo import call_action_demo_seed
from outreach.services.letter_demo import demo_letter_action_seed
from petitions.counts import signature_counts_reconcile
from petitions.demo import demo_petition_seed
from petitions.models import Petition, Signature, new_ref_code

BATCH = 5000
SOURCES = [("", 30), ("email", 25), ("facebook", 14), ("twitter", 8), ("partner-aclu", 8), ("embed", 6), ("sms", 5)]
SOURCES += [(f"partner-{n}", 1) for n in range(1, 9)]
LEG_STATUSES = [("completed", 60), ("busy", 14), ("no-answer", 14), ("failed", 4), ("closed", 5), ("abandoned", 3)]
REPORTED = [("contact", 45), ("voicemail", 35), ("unavailable", 15), ("skip", 5)]
LETTER_STATUSES = [
    ("sent", 78), ("queued", 5), ("failed", 3), ("held", 2), ("needs_web_form", 6), ("in_outbox", 5), ("rejected", 1),
]  # fmt: skip
FIRST = ["Ada", "Grace", "Alan", "Katherine", "Dorothy", "Mary", "James", "Maria", "Wei", "Aisha", "Jamal", "Sofia"]
LAST = ["Lovelace", "Hopper", "Turing", "Johnson", "Vaughan", "Jackson", "Garcia", "Chen", "Khan", "Okafor", "Rossi"]


@contextmanager
def _explicit_created_at(*models):
    fields = [m._meta.get_field("created_at") for m in models]
    saved = [f.auto_now_add for f in fields]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f, value in zip(fields, saved, strict=True):
            f.auto_now_add = value


_T = TypeVar("_T")


class _Picker(Generic[_T]):
    def __init__(self, rng: random.Random, weighted: Sequence[tuple[_T, int]]):
        self.rng, self.items = rng, [item for item, _ in weighted]
        self.weights = [w for _, w in weighted]

    def __call__(self) -> _T:
        return self.rng.choices(self.items, self.weights)[0]


def _moments(rng: random.Random, count: int, *, start: dt.datetime, days: int) -> list[dt.datetime]:
    """Times with a slow start, a spike two thirds in (a story breaks) and a decay, sorted."""
    span = days * 86400
    out = []
    for _ in range(count):
        # Nearly half arrive in the spike; the rest ramp up over the campaign.
        x = min(0.999, max(0.0, rng.gauss(0.66, 0.03))) if rng.random() < 0.45 else math.sqrt(rng.random())
        out.append(start + dt.timedelta(seconds=int(x * span)))
    out.sort()
    return out


def _seats() -> list[tuple[str, int]]:
    return [(state, d) for state, districts in current_snapshot().seats.items() for d in districts] or [("VT", 0)]


def _chunks(total: int) -> Iterator[int]:
    done = 0
    while done < total:
        size = min(BATCH, total - done)
        yield size
        done += size


def load_generate(
    *,
    campaign: Campaign,
    signatures: int,
    calls: int,
    letters: int,
    days: int = 90,
    seed: int = 1,
    progress: Callable[[str, int, int], None] = lambda _what, _done, _total: None,
) -> dict:
    """Add `signatures`, `calls` sessions and `letters` to `campaign`'s demo actions. Returns counts."""
    rng = random.Random(seed)
    petition = Petition.objects.filter(campaign=campaign).first() or demo_petition_seed(campaign=campaign)
    call_action = campaign.call_actions.first() or call_action_demo_seed(campaign=campaign)
    letter_action = campaign.letter_actions.first() or demo_letter_action_seed(campaign=campaign)
    snap = current_snapshot()
    seats = _seats()
    source = _Picker(rng, SOURCES)
    now = timezone.now().replace(microsecond=0)
    start = now - dt.timedelta(days=days)
    run = uuid.uuid4().hex[:8]

    def seat() -> tuple[str, int | None]:
        state, district = rng.choice(seats)
        # One in ten signers gave a ZIP that spans districts: the state is known, the district is not.
        return (state, None) if rng.random() < 0.1 and len(snap.seats.get(state, ())) > 1 else (state, district)

    def members(state: str, district: int | None) -> list:
        people = list(snap.senators.get(state, []))
        if district is not None and (state, district) in snap.house:
            people.append(snap.house[(state, district)])
        return people

    def person(i: int, kind: str, when: dt.datetime, state: str, district: int | None) -> Contact:
        return Contact(
            email=f"load-{run}-{kind}-{i}@example.invalid",
            given_name=rng.choice(FIRST),
            family_name=rng.choice(LAST),
            region=state,
            district_state=state,
            district=district,
            district_congress=snap.congress,
            district_accuracy="zip",
            source="seed_load",
            created_at=when,
        )

    with _explicit_created_at(Contact, Signature, CallSession, LetterSubmission, Letter):
        # --- signatures, each from a new contact
        done = 0
        referrers: list[int] = []
        for size in _chunks(signatures):
            moments = _moments(rng, size, start=start, days=days)
            places = [seat() for _ in range(size)]
            with transaction.atomic():
                contacts = Contact.objects.bulk_create(
                    [person(done + i, "s", moments[i], *places[i]) for i in range(size)]
                )
                rows = []
                for i, contact in enumerate(contacts):
                    rows.append(
                        Signature(
                            petition=petition,
                            contact=contact,
                            ref_code=new_ref_code(),
                            status="confirmed" if rng.random() < 0.9 else "pending",
                            source_code=source(),
                            referrer_id=rng.choice(referrers) if referrers and rng.random() < 0.12 else None,
                            district_state=places[i][0],
                            district=places[i][1],
                            district_congress=snap.congress,
                            district_accuracy="zip",
                            created_at=moments[i],
                            # Generated people get no email: their mail counts as already handed over.
                            mail_queued_at=now,
                        )
                    )
                created = Signature.objects.bulk_create(rows)
            referrers = [s.pk for s in created[:: max(1, size // 200)]]
            done += size
            progress("signatures", done, signatures)
        signature_counts_reconcile(petition_id=petition.pk)

        # --- call sessions, each with a leg per office and some self-reports
        leg_status, reported = _Picker(rng, LEG_STATUSES), _Picker(rng, REPORTED)
        done = 0
        for size in _chunks(calls):
            moments = _moments(rng, size, start=start, days=days)
            sessions, legs, feedback = [], [], []
            for i in range(size):
                state, district = seat()
                session = CallSession(
                    action=call_action,
                    campaign=campaign,
                    status="completed",
                    outcome="connected",
                    phone_hash=f"load-{run}-{done + i}",
                    district_state=state,
                    district=district,
                    district_congress=snap.congress,
                    source=source(),
                    created_at=moments[i],
                )
                sessions.append(session)
                for position, member in enumerate(members(state, district)):
                    status = leg_status()
                    legs.append(
                        CallLeg(
                            session=session,
                            position=position,
                            target_key=member.bioguide_id,
                            legislator=member,
                            name=member.display_name,
                            title=member.title,
                            phone=member.phone,
                            status=status,
                            duration=rng.randint(25, 420) if status == "completed" else None,
                        )
                    )
                    if rng.random() < 0.4:
                        feedback.append(
                            CallFeedback(session=session, target_key=member.bioguide_id, outcome=reported())
                        )
            with transaction.atomic():
                CallSession.objects.bulk_create(sessions)
                CallLeg.objects.bulk_create(legs)
                CallFeedback.objects.bulk_create(feedback)
            done += size
            progress("calls", done, calls)

        # --- letters: one submission per writer, one letter per office
        status_of = _Picker(rng, LETTER_STATUSES)
        done = 0
        for size in _chunks(letters):
            moments = _moments(rng, size, start=start, days=days)
            writers: list[Contact] = []
            submissions: list[LetterSubmission] = []
            letter_rows: list[Letter] = []
            i = 0
            while len(letter_rows) < size:
                state, district = seat()
                district = district if district is not None else snap.seats.get(state, (0,))[0]
                when = moments[min(len(letter_rows), size - 1)]
                contact = person(done + i, "l", when, state, district)
                writers.append(contact)
                submission = LetterSubmission(
                    action=letter_action,
                    contact=contact,
                    prefix="Mx.",
                    given_name=contact.given_name,
                    family_name=contact.family_name,
                    email=contact.email,
                    address_line="1 Main St",
                    locality="Springfield",
                    region=state,
                    postal_code="00000",
                    district_state=state,
                    district=district,
                    district_congress=snap.congress,
                    created_at=when,
                )
                submissions.append(submission)
                for member in members(state, district):
                    if len(letter_rows) >= size:
                        break
                    status = status_of()
                    letter_rows.append(
                        Letter(
                            action=letter_action,
                            contact=contact,
                            submission=submission,
                            bioguide_id=member.bioguide_id,
                            recipient_name=member.display_name,
                            recipient_title=member.title,
                            chamber=member.chamber,
                            channel="outbox",
                            subject="Support a moratorium on face recognition",
                            body="(generated by seed_load)",
                            status=status,
                            sent_at=when if status == "sent" else None,
                            created_at=when,
                        )
                    )
                i += 1
            with transaction.atomic():
                Contact.objects.bulk_create(writers)
                LetterSubmission.objects.bulk_create(submissions)
                Letter.objects.bulk_create(letter_rows)
            done += size
            progress("letters", done, letters)
    return {"signatures": signatures, "calls": calls, "letters": letters, "petition": petition.slug}
