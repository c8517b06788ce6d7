"""The outreach tasks the services start, each named by its registered Celery name.

Services never import tasks: the task modules import the services, so the other way round would close an
import circle. A service calls one of these functions instead; each publishes its task by name once the
transaction commits (infra.tasks). Keep this a plain list of small functions, one per task.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from infra.tasks import publish, publish_on_commit

# --- Calls (outreach/tasks/calls.py) --------------------------------------------------------------


def call_place(session_id: str) -> None:
    """Ring the supporter once the session and its legs are committed."""
    publish_on_commit("outreach.tasks.calls.call_place", session_id)


# --- Letters (outreach/tasks/letters.py) ------------------------------------------------------------


def deliver_letters(letter_ids: Iterable[UUID | str]) -> None:
    """Deliver each letter once the transaction commits: one task per letter."""
    for letter_id in letter_ids:
        publish_on_commit("outreach.tasks.letters.deliver_letter", str(letter_id))


def deliver_letter_now(letter_id: UUID | str) -> None:
    """Deliver a letter whose row is committed already (the sweeper's re-enqueue), without waiting for a
    commit: the sweeper's update of next_attempt_at is not the letter's row being written."""
    publish("outreach.tasks.letters.deliver_letter", str(letter_id))


def retarget_letter(letter_id: UUID | str) -> None:
    """Look a letter held because its member left office up again (an organizer asked)."""
    publish_on_commit("outreach.tasks.letters.retarget_letter", str(letter_id))


def deliver_petition_run(run_id: int) -> None:
    """Run an organizer's petition delivery in a worker once its run row is committed. Sent to the bulk
    queue by name here: a delivery reads every signature of the petition, and must not hold up letters."""
    publish_on_commit("outreach.tasks.petition_delivery.deliver_petition_run", run_id, queue="bulk")


def after_roster_change(held_letter_ids: list[str]) -> None:
    """After the roster load commits: refresh the CWC offices, then re-target each held letter."""
    publish_on_commit("outreach.tasks.letters.after_roster_change", held_letter_ids)
