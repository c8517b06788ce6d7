"""Publishing the petitions' work to the Celery workers, by task name.

Services publish through this module and never import `petitions.tasks`: the tasks import the services,
so a service that imported its tasks (even inside a function) would close an import circle. Each task is
named here by its registered name (a shared_task's default: module path + function name), which stays
greppable; infra.tasks looks the task up in the Celery app at call time, so eager mode (tests,
CELERY_TASK_ALWAYS_EAGER) still runs the real task in-process.

The batch runs (the intake's drain, the signing emails' outbox) are published through "kicks" that bound
how often each process publishes them.
"""

from __future__ import annotations

import logging
import random
import threading
import time

from django.conf import settings

from infra.tasks import publish, publish_on_commit

__all__ = [
    "DRAIN_SIGNATURE_INTAKE",
    "QUEUE_SIGNATURE_EMAILS",
    "RECONCILE_SIGNATURE_COUNTS",
    "RESOLVE_SIGNATURE_DISTRICT",
    "SEND_CONFIRMATION_EMAIL",
    "SEND_THANK_YOU_EMAIL",
    "intake_drain_kick",
    "mail_queue_kick",
    "publish",
    "publish_on_commit",
]

log = logging.getLogger(__name__)

SEND_CONFIRMATION_EMAIL = "petitions.tasks.send_confirmation_email"
SEND_THANK_YOU_EMAIL = "petitions.tasks.send_thank_you_email"
DRAIN_SIGNATURE_INTAKE = "petitions.tasks.drain_signature_intake"
QUEUE_SIGNATURE_EMAILS = "petitions.tasks.queue_signature_emails"
RESOLVE_SIGNATURE_DISTRICT = "petitions.tasks.resolve_signature_district"
RECONCILE_SIGNATURE_COUNTS = "petitions.tasks.reconcile_signature_counts"


# --- Batching: the intake's drain and the signing emails' outbox ----------------------------------
class _Kicks:
    """When this process last published a batch run, and until when a published run covers commits.

    A run publishes immediately if none did in the last interval; otherwise one is published for the
    end of that interval, and every commit until then is covered by it. So each process publishes at
    most two runs per interval however many people sign, and work waits at most one interval (plus
    the run's own time) before a run takes it.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.sent_at = float("-inf")
        self.covered_until = float("-inf")

    def plan(self, now: float, interval: float, *, at_once: bool = True, spread: bool = False) -> float | None:
        """Seconds from now to run the batch at, or None when an already published run covers now.
        `at_once=False` never publishes for now: one run for the end of each interval, half the runs.
        `spread` ends each interval at a random point of its second half. Web processes that start
        signing together would otherwise keep ending their intervals together: one drain a second
        took every row (a burst that took a core from the signers, the p99's worst moments) and the
        others found none. Spread, their runs take turns and share the rows."""
        with self.lock:
            if now < self.covered_until:
                return None
            if not at_once:
                span = interval * (1 - random.random() / 2) if spread and interval > 0 else interval
                self.covered_until = now + span
                return span
            if now - self.sent_at >= interval:
                self.sent_at = now
                return 0.0
            self.covered_until = self.sent_at + interval
            return self.covered_until - now


_mail_kicks = _Kicks()
_intake_kicks = _Kicks()


def _kick(name: str, kicks: _Kicks, interval: float, *, at_once: bool = True, spread: bool = False) -> None:
    delay = kicks.plan(time.monotonic(), interval, at_once=at_once, spread=spread)
    if delay is None:
        return
    try:
        if delay > 0:
            publish(name, countdown=delay)
        else:
            publish(name)
    except Exception:
        # The work waits in its rows: the periodic run does it.
        log.exception("could not publish %s; the periodic run will do it", name)


def intake_drain_kick() -> None:
    """Make sure a drain runs after this signer's intake row: at most two publishes per
    PETITION_INTAKE_BATCH_SECONDS per process, each for the end of an interval that lasts between half
    and all of it (spread: see _Kicks.plan). Never at once: the count already includes the row and a
    repeat drains its earlier row itself, so nothing waits on it, and each drain's fixed cost is
    spread over more rows."""
    _kick(DRAIN_SIGNATURE_INTAKE, _intake_kicks, settings.PETITION_INTAKE_BATCH_SECONDS, at_once=False, spread=True)


def mail_queue_kick() -> None:
    """Make sure a batch run comes after this commit (called on commit of new signatures)."""
    _kick(QUEUE_SIGNATURE_EMAILS, _mail_kicks, settings.PETITION_MAIL_BATCH_SECONDS)
