"""What makes a call action able to place a good call: the check `CallAction.clean` and the services share.

It lives with the models (and imports no service) so the model's own validation needs nothing above it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError as DjangoValidationError

from outreach.phones import PhoneRejected, phone_normalize
from outreach.targets import TargetRule

if TYPE_CHECKING:
    from outreach.models.calls import CallAction

CUSTOM_NAME_MAX = 120
CUSTOM_TITLE_MAX = 40


def call_action_validate(action: CallAction) -> None:
    """Raise Django's ValidationError for an action that could never place a good call."""
    errors: dict[str, list[str]] = {}
    if action.target_rule == TargetRule.SPECIFIC and not action.bioguide_ids:
        errors["bioguide_ids"] = ["List at least one bioguide id."]
    if action.target_rule == TargetRule.COMMITTEE and not action.committee_id:
        errors["committee_id"] = ["Name the committee."]
    if action.target_rule == TargetRule.CUSTOM:
        if not action.custom_targets:
            errors["custom_targets"] = ["Add at least one target with a name and a phone."]
        for item in action.custom_targets or []:
            if not isinstance(item, dict) or not item.get("name") or not item.get("phone"):
                errors["custom_targets"] = ['Each target needs "name" and "phone".']
                break
            if item.get("title") is None:
                item["title"] = ""
            # The name doubles as the leg's office label (120 characters); the title is a leg column (40).
            if not isinstance(item["name"], str) or len(item["name"]) > CUSTOM_NAME_MAX:
                errors["custom_targets"] = [f'A target\'s "name" is text of at most {CUSTOM_NAME_MAX} characters.']
                break
            if not isinstance(item["title"], str) or len(item["title"]) > CUSTOM_TITLE_MAX:
                errors["custom_targets"] = [f'A target\'s "title" is text of at most {CUSTOM_TITLE_MAX} characters.']
                break
            try:
                item["phone"] = phone_normalize(str(item["phone"]), office=True)
            except PhoneRejected as exc:
                errors["custom_targets"] = [f"{item['name']}: {exc}"]
                break
    clean_ids = []
    for number in action.caller_ids or []:
        try:
            clean_ids.append(phone_normalize(str(number), office=True))
        except PhoneRejected as exc:
            errors["caller_ids"] = [f"{number}: {exc}"]
    action.caller_ids = clean_ids
    if errors:
        raise DjangoValidationError(errors)
