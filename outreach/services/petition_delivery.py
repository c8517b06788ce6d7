"""Petition delivery: each office gets one letter with the signers from its district (House) or state
(Senate), through the same letter pipeline, plus a CSV of those signers. A re-run sends only signatures
that no earlier run delivered to that office.

Written against the petitions app's interface: `petitions.models.Petition(campaign, slug, title,
petition_text)` and `Signature(petition, contact -> contacts.Contact, status "pending"|"confirmed",
created_at, and the district at signing time)`. That app is imported lazily so this module (and the
letters app) loads without it.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from django.db.models import Max

from congress import selectors as congress_selectors
from outreach.delivery.outbox import safe_cell
from outreach.models import Letter, LetterAction, LetterEvent, PetitionDeliveredSignature, PetitionDeliveryBatch
from outreach.services.letters import district_label, letter_route, letters_enqueue_on_commit

CONFIRMED = "confirmed"
# The signature's own district fields, as the petitions app may name them; the contact's are the fallback.
_STATE_FIELDS = ("district_state", "state", "region")
_DISTRICT_FIELDS = ("district", "congressional_district")


class PetitionsUnavailable(Exception):
    pass


class PetitionNotFound(Exception):
    pass


@dataclass
class PetitionDeliveryResult:
    petition: str
    run: int
    letters: int = 0
    signatures: int = 0
    skipped: int = 0  # confirmed signatures with no state at all: no office can be told they are constituents
    offices: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "petition": self.petition,
            "run": self.run,
            "letters": self.letters,
            "signatures": self.signatures,
            "skipped": self.skipped,
            "offices": self.offices,
        }


def _petition_models():
    try:
        return apps.get_model("petitions", "Petition"), apps.get_model("petitions", "Signature")
    except LookupError as exc:
        raise PetitionsUnavailable("the petitions app is not installed") from exc


def _field_names(model) -> set[str]:
    return {f.name for f in model._meta.get_fields() if getattr(f, "concrete", False)}


@dataclass(frozen=True)
class Signer:
    signature_id: int
    name: str
    city: str
    state: str
    district: int | None


def _signers(Signature, petition):
    """Confirmed signatures as Signers, oldest first, read in chunks (a viral petition has many)."""
    names = _field_names(Signature)
    state_field = next((f for f in _STATE_FIELDS if f in names), None)
    district_field = next((f for f in _DISTRICT_FIELDS if f in names), None)
    columns = ["pk", "contact__given_name", "contact__family_name", "contact__locality", "contact__region",
               "contact__district_state", "contact__district"]  # fmt: skip
    if state_field:
        columns.append(state_field)
    if district_field:
        columns.append(district_field)
    rows = (
        Signature.objects.filter(petition=petition, status=CONFIRMED)
        .order_by("created_at", "pk")
        .values(*columns)
        .iterator(chunk_size=2000)
    )
    for row in rows:
        # The district at signing time wins: the letter speaks for the signer as they were then.
        if state_field and row.get(state_field):
            state = row[state_field]
            district = row.get(district_field) if district_field else None
        else:
            state = row["contact__district_state"] or row["contact__region"]
            district = row["contact__district"] if row["contact__district_state"] else None
        name = f"{row['contact__given_name']} {row['contact__family_name']}".strip()
        yield Signer(row["pk"], name, row["contact__locality"], (state or "").upper(), district)


def _letter_text(*, petition, legislator, scope: str, signers: list[Signer], state: str, district) -> tuple[str, str]:
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


def _csv(signers: list[Signer]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "city", "state", "district"])
    for s in signers:
        writer.writerow([safe_cell(s.name), safe_cell(s.city), s.state, "" if s.district is None else s.district])
    return out.getvalue()


def petition_deliver(*, slug: str) -> PetitionDeliveryResult:
    Petition, Signature = _petition_models()
    petition = Petition.objects.filter(slug=slug).first()
    if petition is None:
        raise PetitionNotFound(slug)
    snap = congress_selectors.current_snapshot()
    with transaction.atomic():
        # Two runs at once would both think a signature is new: the petition row serializes them.
        Petition.objects.select_for_update().filter(pk=petition.pk).first()
        run = (PetitionDeliveryBatch.objects.filter(petition_id=petition.pk).aggregate(m=Max("run"))["m"] or 0) + 1
        result = PetitionDeliveryResult(petition=slug, run=run)
        delivered = set(
            PetitionDeliveredSignature.objects.filter(batch__petition_id=petition.pk).values_list(
                "signature_id", "bioguide_id"
            )
        )
        groups: dict[str, list[Signer]] = defaultdict(list)
        scopes: dict[str, tuple] = {}
        counted: set[int] = set()
        for signer in _signers(Signature, petition):
            if not signer.state:
                result.skipped += 1
                continue
            targets = [(leg, "state") for leg in snap.senators.get(signer.state, [])]
            house = snap.house.get((signer.state, signer.district)) if signer.district is not None else None
            if house is not None:
                targets.append((house, "district"))
            for leg, scope in targets:
                if (signer.signature_id, leg.bioguide_id) in delivered:
                    continue
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
                csv_text=_csv(signers),
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
                bioguide_id=bioguide_id,
                recipient_name=leg.display_name,
                recipient_title=leg.title,
                chamber=leg.chamber,
                channel=route.channel,
                destination=route.destination,
                subject=subject[:200],
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
        letters_enqueue_on_commit(to_send)
    return result
