# Calls, letters and petition delivery runs keep their models in separate modules, all exported here.
from outreach.models.calls import *  # noqa: F403
from outreach.models.letters import *  # noqa: F403
from outreach.models.petition_runs import *  # noqa: F403
