import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaign.settings")
application = get_wsgi_application()


def warm_up() -> None:
    """Load at start what the first requests of each worker would otherwise load, then keep it out of
    the garbage collector's way.

    Without this the first signer a worker serves waits for the URL patterns (every view module), the
    USPS ZIP list (about a second of CPU) and the broker's client library. Those objects live as long
    as the worker, yet a full collection walked all of them: about a quarter of a second, in the
    middle of a random request.
    `gc.freeze` moves them to a generation the collector never scans. No database access here: a
    worker must start even while the database is away.
    """
    from django.urls import get_resolver

    from campaign.celery import app as celery_app
    from congress import usps

    get_resolver().url_patterns  # noqa: B018 (the property imports every URL module)
    usps.states()
    celery_app.connection_for_write().release()  # imports the broker transport; connects to nothing
    # Every app's tasks, so publishing one by name (infra/tasks.py) finds it registered.
    celery_app.loader.import_default_modules()
    gc.collect()  # garbage from loading goes first, so it is not frozen with the rest
    gc.freeze()


warm_up()
