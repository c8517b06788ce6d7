"""The demo campaign: what `make run` shows on a fresh machine. It seeds every app, so it lives here in
the wiring, the one package that may import them all."""

import secrets

from django.contrib.auth.models import Group, User
from django.db import transaction

from organizing.models import Campaign, CampaignMembership
from organizing.roles import ORGANIZER, roles_ensure
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


DEMO_ORGANIZER_USERNAME = "demo-organizer"


@transaction.atomic
def demo_organizer_seed(*, campaign: Campaign) -> tuple[str, str]:
    """The demo organizer, for local runs only (the caller checks DEBUG): in the organizer group and an
    organizer of the demo campaign, with a new random password on every run. Returns (username, password)."""
    user, _ = User.objects.get_or_create(username=DEMO_ORGANIZER_USERNAME)
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    user.is_active = True
    user.save()
    roles_ensure()
    user.groups.add(Group.objects.get(name=ORGANIZER))
    CampaignMembership.objects.update_or_create(
        campaign=campaign, user=user, defaults={"role": CampaignMembership.Role.ORGANIZER}
    )
    return user.username, password
