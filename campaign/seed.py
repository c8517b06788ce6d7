"""The demo campaign: what `make run` shows on a fresh machine. It seeds every app, so it lives here in
the wiring, the one package that may import them all."""

from django.db import transaction

from organizing.models import Campaign
from outreach.services.call_demo import call_action_demo_seed
from outreach.services.letter_demo import demo_letter_action_seed
from petitions.demo import demo_petition_seed

DEMO_SLUG = "face-recognition-moratorium"

DEMO_DESCRIPTION = (
    "Ask Congress for a moratorium on face recognition in immigration enforcement and law enforcement, "
    "until Congress and the public debate which uses, if any, should be allowed."
)


@transaction.atomic
def demo_campaign_seed() -> Campaign:
    """Create or refresh the demo campaign and its petition. Safe to run any number of times."""
    campaign, _ = Campaign.objects.update_or_create(
        slug=DEMO_SLUG,
        defaults={
            "name": "Face recognition moratorium",
            "description": DEMO_DESCRIPTION,
            "status": Campaign.Status.ACTIVE,
        },
    )
    call_action_demo_seed(campaign=campaign)
    demo_letter_action_seed(campaign=campaign)
    demo_petition_seed(campaign=campaign)
    return campaign
