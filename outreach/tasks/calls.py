"""Call tasks (queue: calls). Thin: they take ids and call one service."""

import logging

from celery import shared_task

from outreach.services import call_progress
from outreach.telephony import TransientTelephonyError

log = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5, acks_late=True)
def call_place(self, session_id: str) -> None:
    try:
        call_progress.call_session_place(session_id=session_id)
    except TransientTelephonyError as exc:
        if self.request.retries >= self.max_retries:
            call_progress.call_session_fail(session_id=session_id, error="telephony provider unavailable")
            return
        # A supporter is waiting by the phone: retry soon, and give up within a few minutes.
        raise self.retry(exc=exc, countdown=min(5 * 2**self.request.retries, 60)) from exc


@shared_task
def call_sessions_sweep() -> int:
    return call_progress.call_sessions_sweep()


@shared_task
def call_phones_forget() -> int:
    return call_progress.call_phones_forget()


@shared_task
def call_ip_hashes_forget() -> int:
    forgotten = call_progress.call_ip_hashes_forget()
    log.info("retention calls ip_hashes_blanked=%d", forgotten)
    return forgotten
