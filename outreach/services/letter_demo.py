"""The demo campaign's letter (campaign/seed.py and the load generator seed it)."""

from __future__ import annotations

from organizing.models import Campaign
from outreach.models import LetterAction
from outreach.targets import TargetRule

DEMO_LETTER_SLUG = "face-recognition-moratorium-letter"


def demo_letter_action_seed(*, campaign: Campaign) -> LetterAction:
    """The demo campaign's letter. Safe to run any number of times."""
    action, _ = LetterAction.objects.update_or_create(
        slug=DEMO_LETTER_SLUG,
        defaults={
            "campaign": campaign,
            "title": "Write to your members of Congress",
            "intro": "Ask your senators and representative to support a moratorium on face recognition.",
            "subject_template": "Support a moratorium on face recognition",
            "body_template": (
                "Dear {legislator_title} {legislator_last_name},\n\n"
                "As your constituent in {city} ({district}), I ask you to support a moratorium on the use of "
                "face recognition in immigration enforcement and law enforcement, until Congress and the "
                "public have debated which uses, if any, should be allowed.\n\n"
                "Sincerely,\n{full_name}"
            ),
            "subject_editable": True,
            "message_editable": True,
            "message_prompt": "",
            "topics": ["Civil Rights and Liberties, Minority Issues", "Crime and Law Enforcement", "Immigration"],
            "stance": LetterAction.Stance.PRO,
            "target_rule": TargetRule.BOTH,
        },
    )
    return action
