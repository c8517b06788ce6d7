"""Letters selectors."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from outreach.models import Letter


def letter_with_history(*, letter_id) -> Letter | None:
    return Letter.objects.filter(pk=letter_id).prefetch_related("events").first()


def moderation_queue(*, action_slug: str | None = None) -> QuerySet[Letter]:
    letters = Letter.objects.filter(status=Letter.Status.HELD).select_related("action").order_by("created_at")
    if action_slug:
        letters = letters.filter(action__slug=action_slug)
    return letters


def outbox_offices(*, action=None) -> list[dict]:
    """Offices with letters in the outbox: [{bioguide_id, recipient_name, count}]."""
    letters = Letter.objects.filter(status=Letter.Status.IN_OUTBOX)
    if action is not None:
        letters = letters.filter(action=action)
    return list(
        letters.values("bioguide_id", "recipient_name", "recipient_title")
        .annotate(count=Count("id"))
        .order_by("bioguide_id")
    )


def outbox_letters(*, bioguide_id: str, action=None) -> QuerySet[Letter]:
    letters = Letter.objects.filter(status=Letter.Status.IN_OUTBOX, bioguide_id=bioguide_id).select_related(
        "submission"
    )
    if action is not None:
        letters = letters.filter(action=action)
    return letters.order_by("created_at")
