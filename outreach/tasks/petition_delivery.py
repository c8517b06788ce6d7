"""Petition delivery tasks (queue: bulk). Thin: they take ids and call one service."""

from __future__ import annotations

from celery import shared_task

from outreach.services.petition_delivery_runs import petition_delivery_execute


# No retries: a failed run is recorded as failed and the organizer asks again (a re-run delivers only what
# is new). acks_late: a worker that dies mid-run rolls its transaction back and the broker hands the task
# on; the stale claim lets that second worker take the run over.
@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True, queue="bulk")
def deliver_petition_run(run_id: int) -> str:
    return petition_delivery_execute(run_id=run_id)
