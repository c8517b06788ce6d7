"""The outbox's last step: an organizer printed the batch and took the letters to the office."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from outreach.models import Letter, LetterEvent
from outreach.services.letter_errors import LetterInputError

Status = Letter.Status


def letters_mark_hand_delivered(
    *, letter_ids: Sequence[uuid.UUID | str], by: str, when: dt.datetime | None = None
) -> list[uuid.UUID]:
    """Move letters still in the outbox to `hand_delivered`, each with an event saying who and when; the
    ids moved. Letters in any other status (already delivered by hand, too) are left as they are."""
    now = timezone.now()
    when = when or now
    if timezone.is_naive(when):
        raise LetterInputError(errors={"delivered_at": ["Give a time zone."]})
    if when > now + dt.timedelta(minutes=5):  # a little clock skew between the organizer's device and ours
        raise LetterInputError(errors={"delivered_at": ["That time has not come yet."]})
    moved = []
    with transaction.atomic():
        for letter_id in letter_ids:
            # A conditional UPDATE per letter: two organizers marking one batch at once record it once.
            done = Letter.objects.filter(pk=letter_id, status=Status.IN_OUTBOX).update(
                status=Status.HAND_DELIVERED, sent_at=when, error="", updated_at=now
            )
            if done:
                moved.append(uuid.UUID(str(letter_id)))
        LetterEvent.objects.bulk_create(
            [
                LetterEvent(
                    letter_id=pk,
                    status=Status.HAND_DELIVERED,
                    detail=f"delivered by hand {by} at {when.isoformat()}".strip()[:500],
                )
                for pk in moved
            ]
        )
    return moved
