"""The demo call action, seeded with the demo campaign (campaign/seed.py)."""

from __future__ import annotations

from organizing.models import Campaign
from outreach.models import CallAction
from outreach.targets import TargetRule

DEMO_SCRIPT = (
    "Hello, I'm a constituent calling from ZIP code [your ZIP]. I'm asking the member to support a "
    "moratorium on face recognition in immigration enforcement and law enforcement, until Congress and the "
    "public debate which uses, if any, should be allowed. In 2018 Amazon's Rekognition falsely matched 28 "
    "members of Congress with arrest photos. Congress has never authorized this technology. Thank you."
)


def call_action_demo_seed(*, campaign: Campaign) -> CallAction:
    """The demo call action: the caller's two senators, then their representative. Idempotent."""
    action, _ = CallAction.objects.update_or_create(
        campaign=campaign,
        name="Call your members of Congress",
        defaults={
            "script": DEMO_SCRIPT,
            "target_rule": TargetRule.BOTH,
            "target_order": "senate_first",
            "max_targets": 3,
            "is_active": True,
        },
    )
    return action
