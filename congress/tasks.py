from celery import shared_task

from congress import sources
from congress.services import congress_data_sync


# Only fetch failures are retried: a malformed or shrunken file stays bad however often it is read.
@shared_task(autoretry_for=(sources.DataUnavailable,), retry_backoff=300, retry_jitter=True, max_retries=3)
def sync_congress_data() -> int:
    """Daily refresh from the configured URL source (scheduled only when CONGRESS_DATA is a URL)."""
    return congress_data_sync(source=sources.resolve_source()).pk
