# Celery autodiscovery imports this package; the task modules register on import.
from outreach.tasks import calls, letters, petition_delivery  # noqa: F401
