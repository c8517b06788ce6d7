import logging
import os
import time

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaign.settings")

app = Celery("campaign")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

log = logging.getLogger("campaign.task")
_started: dict[str, float] = {}


# One line per task with its id and name only: arguments can hold personal data and are never logged.
@signals.task_prerun.connect
def _task_started(task_id=None, task=None, **_):
    _started[task_id] = time.monotonic()


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **_):
    began = _started.pop(task_id, None)
    ms = (time.monotonic() - began) * 1000 if began else -1
    log.info("task id=%s name=%s state=%s ms=%.1f", task_id, getattr(task, "name", "?"), state, ms)


@signals.task_retry.connect
def _task_retry(request=None, reason=None, **_):
    log.warning("task id=%s name=%s state=RETRY reason=%s", request.id, request.task, type(reason).__name__)
