"""Letter moderation: which writers' text an organizer reviews first, the decisions on held letters, and
an organizer's retry of failed ones."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outreach import publish
from outreach.models import Letter, LetterEvent
from outreach.services.letter_errors import LetterInputError

Status = Letter.Status
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


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


def letter_approve(*, letter: Letter, by: str = "") -> bool:
    """Release a held letter to delivery. False if it was no longer held."""
    with transaction.atomic():
        done = Letter.objects.filter(pk=letter.pk, status=Status.HELD).update(
            status=Status.QUEUED, queued_at=timezone.now(), updated_at=timezone.now()
        )
        if done:
            LetterEvent.objects.create(letter_id=letter.pk, status=Status.QUEUED, detail=f"approved {by}".strip())
            publish.deliver_letters([letter.pk])
    return bool(done)


def letter_reject(*, letter: Letter, reason: str, by: str = "") -> bool:
    reason = reason.strip()
    if not reason:
        raise LetterInputError(errors={"reason": ["Say why the letter is rejected."]})
    with transaction.atomic():
        done = Letter.objects.filter(pk=letter.pk, status=Status.HELD).update(
            status=Status.REJECTED, rejection_reason=reason[:300], updated_at=timezone.now()
        )
        if done:
            LetterEvent.objects.create(
                letter_id=letter.pk, status=Status.REJECTED, detail=f"rejected {by}: {reason}".strip()[:500]
            )
    return bool(done)


def letters_requeue_failed(*, letter_ids: Sequence[uuid.UUID | str]) -> int:
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
        publish.deliver_letters(ids)
    return len(ids)
