"""Publishing work to the Celery workers by task name.

Services never import tasks (the tasks import the services, and a service that imported its tasks would
close an import circle). Each app's `publish.py` names its tasks here by their registered name, which
stays greppable: `grep -rn "petitions.tasks.send_confirmation_email"` finds the task and every publisher.
The task object is looked up in the app's registry at call time, so eager mode (tests,
CELERY_TASK_ALWAYS_EAGER) still runs the real task in-process.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from celery import current_app
from celery.exceptions import NotRegistered
from django.db import transaction


def _task(name: str) -> Any:  # a celery Task: celery ships no types
    """The registered task `name`. Celery's autodiscovery runs only in a worker (on its import_modules
    signal), so in a web process or a test the task's module is imported here, by name, on first use."""
    try:
        return current_app.tasks[name]
    except NotRegistered:
        import_module(name.rpartition(".")[0])
        return current_app.tasks[name]


def publish(name: str, *args: Any, **options: Any) -> None:
    """Send task `name` now: `options` are apply_async's (countdown, queue, ...)."""
    _task(name).apply_async(args=args, **options)


def publish_on_commit(name: str, *args: Any, **options: Any) -> None:
    """Send task `name` once the current transaction commits (at once outside one): a worker must never
    look for a row that is not committed yet, or one that was rolled back."""
    transaction.on_commit(lambda: publish(name, *args, **options))
