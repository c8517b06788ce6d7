"""Petition delivery as background work: an organizer's request records a run and queues it; a worker
(bulk queue) claims the run, delivers (petition_delivery.petition_deliver_for) and records the outcome.
Two runs of one petition at once are safe: the delivery serializes them with its advisory lock, and the
second sends only what the first did not."""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q
from django.utils import timezone

from outreach import publish
from outreach.models import PetitionDeliveryRun
from outreach.services.petition_delivery import petition_deliver_for
from petitions.models import Petition

log = logging.getLogger(__name__)
Status = PetitionDeliveryRun.Status

# A run still "running" this long after it started lost its worker (the delivery is one transaction, so
# that worker's work was rolled back); the broker's redelivery of the task may take it over.
STALE_RUNNING = dt.timedelta(hours=1)


def petition_delivery_request(*, petition: Petition, requested_by: User | AnonymousUser | None) -> PetitionDeliveryRun:
    """Record a queued run and hand it to a worker once the row is committed."""
    user = requested_by if isinstance(requested_by, User) else None
    run = PetitionDeliveryRun.objects.create(petition=petition, requested_by=user)
    publish.deliver_petition_run(run.pk)
    return run


def petition_delivery_execute(*, run_id: int) -> str:
    """Run a queued delivery once; returns the run's status. A run already taken (or finished) is left
    alone, so a task delivered twice delivers once."""
    now = timezone.now()
    claimable = Q(status=Status.QUEUED) | Q(status=Status.RUNNING, started_at__lt=now - STALE_RUNNING)
    claimed = PetitionDeliveryRun.objects.filter(claimable, pk=run_id).update(status=Status.RUNNING, started_at=now)
    if not claimed:
        current = PetitionDeliveryRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
        return current or "missing"
    run = PetitionDeliveryRun.objects.select_related("petition").get(pk=run_id)
    try:
        result = petition_deliver_for(petition=run.petition)
    except Exception as exc:
        # Recorded and logged by type only: a database error's message can quote a supporter's row.
        error = type(exc).__name__
        log.warning("petition delivery run %s failed: %s", run_id, error)
        PetitionDeliveryRun.objects.filter(pk=run_id).update(
            status=Status.FAILED, error=error, finished_at=timezone.now()
        )
        return Status.FAILED
    PetitionDeliveryRun.objects.filter(pk=run_id).update(
        status=Status.DONE,
        run=result.run,
        letters=result.letters,
        signatures=result.signatures,
        skipped=result.skipped,
        result=result.as_dict(),
        error="",
        finished_at=timezone.now(),
    )
    return Status.DONE
