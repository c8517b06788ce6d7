"""Petition delivery: each office gets one letter with the signers from its district (House) or state
(Senate), through the same letter pipeline; the office's CSV of those signers is built when downloaded.
A re-run sends a signature only to the scopes (state, district) no earlier run delivered it to.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q

from congress import selectors as congress_selectors
from congress.models import Legislator
from infra.dbutil import transaction_lock
from infra.errors import DomainError
from outreach import publish
from outreach.models import Letter, LetterAction, LetterEvent, PetitionDeliveredSignature, PetitionDeliveryBatch
from outreach.services.letter_compose import SUBJECT_MAX, district_label
from outreach.services.letter_routes import letter_recipient_fields, letter_route
from petitions.models import Petition, Signature


class PetitionNotFound(DomainError):
    status_code = 404
    message = "No such petition."


@dataclass
class PetitionDeliveryResult:
    petition: str
    run: int
    letters: int = 0
    signatures: int = 0
    skipped: int = 0  # confirmed signatures with no state at all: no office can be told they are constituents
    offices: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Signer:
    signature_id: int
    name: str
    city: str
    state: str
    district: int | None
    to_senate: bool  # not yet delivered to the state's senators
    to_house: bool  # not yet delivered to a House office


def _lock_key(petition_id: int) -> int:
    # Namespaced, so it never collides with another feature's advisory lock on the same number.
    return int(hashlib.sha256(f"petition-delivery:{petition_id}".encode()).hexdigest()[:15], 16)


def _delivered(scope: str) -> Exists:
    return Exists(PetitionDeliveredSignature.objects.filter(signature_id=OuterRef("pk"), batch__scope=scope))


def _signers(petition: Petition, congress: int) -> Iterator[Signer]:
    """Confirmed signatures not yet delivered to every scope, oldest first, read in chunks (a viral
    petition has many; the already delivered ones are left out by the database, not read)."""
    rows = (
        Signature.objects.filter(petition=petition, status=Signature.Status.CONFIRMED)
        .annotate(sent_state=_delivered("state"), sent_district=_delivered("district"))
        .filter(Q(sent_state=False) | Q(sent_district=False, district__isnull=False, district_congress=congress))
    )
    values = rows.order_by("created_at", "pk").values_list(
        "pk", "contact__given_name", "contact__family_name", "contact__locality", "district_state", "district",
        "district_congress", "sent_state", "sent_district",
    ).iterator(chunk_size=2000)  # fmt: skip
    for pk, given, family, city, state, district, district_congress, sent_state, sent_district in values:
        # The district at signing time, while it is still a district of the current Congress: after
        # redistricting the old number names someone else's district, so only the senators hear of it.
        if district_congress != congress:
            district = None
        name = f"{given} {family}".strip()
        yield Signer(pk, name, city, (state or "").upper(), district, not sent_state,
                     district is not None and not sent_district)  # fmt: skip


def _letter_text(
    *, petition: Petition, legislator: Legislator, scope: str, signers: list[Signer], state: str, district: int | None
) -> tuple[str, str]:
    count = len(signers)
    who = "constituent" if count == 1 else "constituents"
    where = "district" if scope == "district" else "state"
    place = district_label(state, district) if scope == "district" else state
    subject = f"Petition: {petition.title}"
    lines = [
        f"Dear {legislator.title} {legislator.last_name},",
        "",
        f'{count} {who} of your {where} ({place}) signed the petition "{petition.title}".',
        "",
        petition.petition_text.strip(),
        "",
        "Signed by:",
        *[f"- {s.name}, {s.city}" if s.city else f"- {s.name}" for s in signers],
    ]
    return subject, "\n".join(lines)


def petition_letter_text(*, batch: PetitionDeliveryBatch, legislator: Legislator) -> tuple[str, str]:
    """A batch's letter written again for another member of the same scope (a successor in the seat),
    from the signatures the batch delivered."""
    petition = Petition.objects.get(pk=batch.petition_id)
    ids = batch.signatures.values_list("signature_id", flat=True)
    rows = (
        Signature.objects.filter(pk__in=ids)
        .order_by("created_at", "pk")
        .values_list(
            "pk", "contact__given_name", "contact__family_name", "contact__locality", "district_state", "district"
        )  # fmt: skip
    )
    signers = [
        Signer(pk, f"{given} {family}".strip(), city, (state or "").upper(), district, False, False)
        for pk, given, family, city, state, district in rows
    ]
    state = signers[0].state if signers else legislator.state
    district = legislator.district if batch.scope == "district" else None
    return _letter_text(
        petition=petition, legislator=legislator, scope=batch.scope, signers=signers, state=state, district=district
    )


def petition_deliver(*, slug: str) -> PetitionDeliveryResult:
    petition = Petition.objects.filter(slug=slug).first()
    if petition is None:
        raise PetitionNotFound()
    return petition_deliver_for(petition=petition)


def petition_deliver_for(*, petition: Petition) -> PetitionDeliveryResult:
    slug = petition.slug
    snap = congress_selectors.current_snapshot()
    with transaction.atomic():
        # Two runs at once would both think a signature is new. An advisory lock serializes them without
        # locking the petition row, which every new signature's foreign key check would wait on.
        transaction_lock(_lock_key(petition.pk))
        run = (PetitionDeliveryBatch.objects.filter(petition_id=petition.pk).aggregate(m=Max("run"))["m"] or 0) + 1
        result = PetitionDeliveryResult(petition=slug, run=run)
        groups: dict[str, list[Signer]] = defaultdict(list)
        scopes: dict[str, tuple[Legislator, str, str, int | None]] = {}
        counted: set[int] = set()
        for signer in _signers(petition, snap.congress):
            if not signer.state:
                result.skipped += 1
                continue
            targets = [(leg, "state") for leg in snap.senators.get(signer.state, [])] if signer.to_senate else []
            house = None
            if signer.to_house and signer.district is not None:  # to_house implies a district
                house = snap.house.get((signer.state, signer.district))
            if house is not None:
                targets.append((house, "district"))
            for leg, scope in targets:
                groups[leg.bioguide_id].append(signer)
                scopes[leg.bioguide_id] = (leg, scope, signer.state, signer.district if scope == "district" else None)
                counted.add(signer.signature_id)
        result.signatures = len(counted)
        to_send = []
        # Offices the organizer reaches by email for this campaign's letters get petitions that way too.
        action = LetterAction.objects.filter(campaign_id=petition.campaign_id).order_by("created_at").first()
        for bioguide_id in sorted(groups):
            signers = groups[bioguide_id]
            leg, scope, state, district = scopes[bioguide_id]
            batch = PetitionDeliveryBatch.objects.create(
                petition_id=petition.pk,
                petition_slug=slug,
                run=run,
                bioguide_id=bioguide_id,
                scope=scope,
                signer_count=len(signers),
            )
            PetitionDeliveredSignature.objects.bulk_create(
                [
                    PetitionDeliveredSignature(batch=batch, signature_id=s.signature_id, bioguide_id=bioguide_id)
                    for s in signers
                ],  # fmt: skip
                batch_size=2000,
            )
            subject, body = _letter_text(
                petition=petition, legislator=leg, scope=scope, signers=signers, state=state, district=district
            )
            # CWC carries one constituent per message; a petition speaks for many, so it goes by email,
            # the outbox or the office's web form.
            route = letter_route(action=action, legislator=leg, allow_cwc=False)
            status = Letter.Status.NEEDS_WEB_FORM if route.channel == Letter.Channel.WEB_FORM else Letter.Status.QUEUED
            letter = Letter.objects.create(
                petition_batch=batch,
                **letter_recipient_fields(leg, route),
                subject=subject[:SUBJECT_MAX],
                body=body,
                status=status,
                queued_at=batch.created_at if status == Letter.Status.QUEUED else None,
            )
            LetterEvent.objects.create(letter=letter, status=status, detail=f"petition {slug} run {run}")
            if status == Letter.Status.QUEUED:
                to_send.append(letter.pk)
            result.offices.append(
                {
                    "bioguide_id": bioguide_id,
                    "scope": scope,
                    "signers": len(signers),
                    "letter": str(letter.pk),
                    "batch": batch.pk,
                    "channel": route.channel,
                }  # fmt: skip
            )
        result.letters = len(result.offices)
        publish.deliver_letters(to_send)
    return result
