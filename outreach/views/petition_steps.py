"""The next steps a petition's thank-you page offers: the campaign's call and letter pages, when open.

Registered with petitions (outreach/views/__init__.py), which shows them without importing this app."""

from __future__ import annotations

from django.urls import reverse

from organizing.models import Campaign
from outreach.models import LetterAction
from outreach.selectors import calls as call_selectors


def petition_next_steps(petition) -> list[dict]:
    campaign = petition.campaign
    steps = []
    try:
        call_selectors.call_action_for_campaign(campaign.slug)
    except call_selectors.NoCallAction:
        pass
    else:
        url = reverse("calls-page", kwargs={"slug": campaign.slug})
        steps.append({"kind": "call", "label": "Call your members of Congress", "url": url})
    if campaign.status == Campaign.Status.ACTIVE:  # what the letter page itself takes as open
        for action in LetterAction.objects.filter(campaign=campaign, is_active=True).order_by("id"):
            url = reverse("letters-page", kwargs={"slug": action.slug})
            steps.append({"kind": "letter", "label": f"Write to your members of Congress: {action.title}", "url": url})
    return steps
