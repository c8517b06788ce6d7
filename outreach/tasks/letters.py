"""Letter tasks (queue: letters). Thin: they take ids, call one service, and own the retry policy."""

from __future__ import annotations

import logging
import random

from celery import shared_task
from django.conf import settings

from congress.geocoder import GeocoderUnavailable
from outreach.delivery import PermanentDeliveryError, TransientDeliveryError
from outreach.delivery import cwc as cwc_api
from outreach.services import turnover
from outreach.services.letter_delivery import letter_deliver, letters_sweep
from outreach.services.letter_routes import cwc_offices_sync

log = logging.getLogger(__name__)


def retry_delay(attempts: int) -> float:
    """Exponential backoff with full jitter: offices and the APIs recover faster when retries spread out."""
    ceiling = min(settings.LETTERS_RETRY_MAX_SECONDS, settings.LETTERS_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


# acks_late: a worker that dies mid-delivery leaves the message unacknowledged, so the broker hands it to
# another worker; the letter's claim and its fixed DeliveryId keep that second run from sending twice.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None, ignore_result=True)
def deliver_letter(self, letter_id: str) -> str:
    for _ in range(EAGER_ATTEMPTS):
        outcome = letter_deliver(letter_id=letter_id, retry_delay=retry_delay)
        if outcome.retry_in is None:
            return outcome.status
        if not self.request.is_eager:
            raise self.retry(countdown=outcome.retry_in)
        # Eager (tests, CELERY_TASK_ALWAYS_EAGER): no broker holds a countdown, so the retry runs at once.
    return outcome.status


EAGER_ATTEMPTS = 50


@shared_task(ignore_result=True)
def sweep_stuck_letters() -> int:
    return letters_sweep()


@shared_task(ignore_result=True, autoretry_for=(cwc_api.CwcTransientError,), retry_backoff=60, max_retries=5)
def sync_cwc_offices() -> dict:
    result = {}
    for chamber in (cwc_api.HOUSE, cwc_api.SENATE):
        if cwc_api.is_configured(chamber):
            synced = cwc_offices_sync(chamber=chamber)
            result[chamber] = synced.listed
    return result


@shared_task(ignore_result=True)
def after_roster_change(held_letter_ids: list[str]) -> None:
    """After a roster load: the new members' CWC office codes first, so the letters re-targeted next
    take the new routes; then one task per held letter."""
    try:
        sync_cwc_offices()
    except (TransientDeliveryError, PermanentDeliveryError):
        # The daily refresh catches up; a re-targeted letter meanwhile goes by email, outbox or web form.
        log.warning("CWC office refresh after a roster change failed; letters are re-targeted anyway")
    for letter_id in held_letter_ids:
        retarget_letter.delay(letter_id)


# The geocoder may be down or slow on the day of a turnover; the letter waits, held, until it answers.
@shared_task(
    ignore_result=True, autoretry_for=(GeocoderUnavailable,), retry_backoff=60, retry_jitter=True, max_retries=8
)
def retarget_letter(letter_id: str) -> str:
    return turnover.letter_retarget(letter_id=letter_id)
