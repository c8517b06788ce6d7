import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone


# Single-flight is not needed: each refresh replaces its buckets in one transaction, so two overlapping
# runs end with the same rows. expires keeps a backlog from piling up behind a slow database.
@shared_task(expires=60)
def metrics_rollups_refresh() -> int:
    from reporting.rollups import rollups_refresh

    return rollups_refresh().rows


@shared_task
def metrics_rollups_recheck() -> int:
    from reporting.rollups import rollups_refresh

    return rollups_refresh(since=timezone.now() - dt.timedelta(days=settings.ROLLUP_RECHECK_DAYS)).rows
