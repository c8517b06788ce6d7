"""Settings for the campaign backend.

Every value comes from the environment (see .env.example and docs/configuration.md). With nothing set,
the project runs on the embedded default: SQLite and a filesystem broker under var/, a local-memory
cache, console telephony and email. The same code moves to PostgreSQL and Redis by setting
DATABASE_URL and REDIS_URL.

One module per integration, merged here. A module imports what it reads from the modules above it (and
extends THROTTLE_RATES and CELERY_TASK_ROUTES in place), never from one below; no two modules bind a
name to different values, so the merge hides nothing. `DJANGO_SETTINGS_MODULE=campaign.settings` names
this package.
"""

# The order of the dependencies between the modules, not the alphabet: keep it.
# isort: off
from .base import *  # noqa: F403
from .security import *  # noqa: F403
from .api import *  # noqa: F403
from .congress import *  # noqa: F403
from .reporting import *  # noqa: F403
from .celery import *  # noqa: F403
from .calls import *  # noqa: F403
from .mail import *  # noqa: F403
from .petitions import *  # noqa: F403
from .letters import *  # noqa: F403
# isort: on
