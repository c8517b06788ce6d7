"""Letters selectors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypedDict

from django.db.models import Count, Q, QuerySet

from outreach.models import Letter, PetitionDeliveryBatch


def letter_with_history(*, letter_id) -> Letter | None:
    return Letter.objects.filter(pk=letter_id).prefetch_related("events").first()


def moderation_queue(*, action_slug: str | None = None, status: str = Letter.Status.HELD) -> QuerySet[Letter]:
    letters = Letter.objects.filter(status=status).select_related("action").order_by("created_at")
    if action_slug:
        letters = letters.filter(action__slug=action_slug)
    return letters


class OutboxOffice(TypedDict):
    bioguide_id: str
    recipient_name: str
    recipient_title: str
    count: int
    hand_delivered: int


def outbox_offices(*, action=None) -> list[OutboxOffice]:
    """Offices with letters in the outbox or delivered by hand from it:
    [{bioguide_id, recipient_name, recipient_title, count (still in the outbox), hand_delivered}]."""
    letters = Letter.objects.filter(status__in=[Letter.Status.IN_OUTBOX, Letter.Status.HAND_DELIVERED])
    if action is not None:
        letters = letters.filter(action=action)
    return list(
        letters.values("bioguide_id", "recipient_name", "recipient_title")
        .annotate(
            count=Count("id", filter=Q(status=Letter.Status.IN_OUTBOX)),
            hand_delivered=Count("id", filter=Q(status=Letter.Status.HAND_DELIVERED)),
        )
        .order_by("-count", "bioguide_id")
    )


def outbox_letters(*, bioguide_id: str, action=None) -> QuerySet[Letter]:
    letters = Letter.objects.filter(status=Letter.Status.IN_OUTBOX, bioguide_id=bioguide_id).select_related(
        "submission"
    )
    if action is not None:
        letters = letters.filter(action=action)
    return letters.order_by("created_at")


PETITION_BATCH_CSV_HEADER = ["name", "city", "state", "district"]


def petition_batch_rows(*, batch: PetitionDeliveryBatch) -> Iterator[list]:
    """The batch's signers as CSV rows (header first), oldest signature first, read in chunks."""
    from petitions.models import Signature

    yield PETITION_BATCH_CSV_HEADER
    rows = (
        Signature.objects.filter(pk__in=batch.signatures.values("signature_id"))
        .order_by("created_at", "pk")
        .values_list("contact__given_name", "contact__family_name", "contact__locality", "district_state", "district")
        .iterator(chunk_size=2000)
    )
    for given, family, city, state, district in rows:
        yield [f"{given} {family}".strip(), city, state, "" if district is None else district]
