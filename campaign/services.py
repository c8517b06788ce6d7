from django.db import transaction

from campaign.models import Campaign
from outreach.services.letters import demo_letter_action_seed

DEMO_SLUG = "face-recognition-moratorium"

DEMO_DESCRIPTION = (
    "Ask Congress for a moratorium on face recognition in immigration enforcement and law enforcement, "
    "until Congress and the public debate which uses, if any, should be allowed."
)


@transaction.atomic
def demo_campaign_seed() -> Campaign:
    """Create or refresh the demo campaign. Safe to run any number of times."""
    campaign, _ = Campaign.objects.update_or_create(
        slug=DEMO_SLUG,
        defaults={
            "name": "Face recognition moratorium",
            "description": DEMO_DESCRIPTION,
            "status": Campaign.Status.ACTIVE,
        },
    )
    demo_letter_action_seed(campaign=campaign)
    return campaign
