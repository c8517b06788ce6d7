# Calls and letters keep their models in separate modules; both are exported here for Django.
from outreach.models.calls import *  # noqa: F403
from outreach.models.letters import *  # noqa: F403
