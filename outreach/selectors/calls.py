"""Reads for calls: which action a campaign's page uses, and a session's joined record."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from organizing.models import Campaign
from outreach.models import CallAction, CallSession
from outreach.targets import Target, TargetRule, resolve_targets


class NoCallAction(Exception):
    pass


def live_call_actions(now: datetime | None = None) -> QuerySet[CallAction]:
    """Call actions taking calls at `now`: active, in an active campaign, inside their dates."""
    now = now or timezone.now()
    return CallAction.objects.select_related("campaign").filter(
        Q(starts_at__isnull=True) | Q(starts_at__lte=now),
        Q(ends_at__isnull=True) | Q(ends_at__gt=now),
        is_active=True,
        campaign__status=Campaign.Status.ACTIVE,
    )


def call_action_for_campaign(slug: str, *, action_id: int | None = None) -> CallAction:
    """The campaign's live call action (the given one, else the oldest live one)."""
    actions = live_call_actions().filter(campaign__slug=slug)
    if action_id is not None:
        actions = actions.filter(pk=action_id)
    action = actions.order_by("id").first()
    if action is None:
        raise NoCallAction(slug)
    return action


def action_targets(action: CallAction, lookup, *, rule: str | None = None) -> list[Target]:
    """The action's targets for a lookup (None for rules that need none), in the action's order."""
    return resolve_targets(
        rule=rule or action.target_rule,
        lookup=lookup,
        bioguide_ids=action.bioguide_ids or (),
        committee_id=action.committee_id or None,
        custom=action.custom_targets or (),
        order=action.target_order,
        max_targets=action.max_targets,
    )


def fixed_targets(action: CallAction) -> list[dict]:
    """Targets known before the caller's ZIP (specific members, custom numbers), for the call page."""
    if action.target_rule not in (TargetRule.SPECIFIC, TargetRule.CUSTOM):
        return []
    return [{"name": t.name, "title": t.title, "phone": t.phone} for t in action_targets(action, None)]


def _leg_out(leg) -> dict:
    return {
        "attempt": leg.attempt,
        "office": {"kind": leg.office_kind, "label": leg.office_label, "phone": leg.phone},
        "status": leg.status,
        "duration": leg.duration,
        "after_hours": leg.after_hours,
        "started_at": leg.started_at,
        "ended_at": leg.ended_at,
    }


def call_session_record(session: CallSession) -> dict:
    """The session with each target's measured legs and the caller's own report joined on the target.
    Holds no phone number of the supporter."""
    legs = list(session.legs.order_by("position", "attempt"))
    reports = {f.target_key: f for f in session.feedback.all()}
    targets: list[dict] = []
    by_key: dict[str, dict] = {}
    for leg in legs:
        entry = by_key.get(leg.target_key)
        if entry is None:
            report = reports.get(leg.target_key)
            entry = {
                "target_key": leg.target_key,
                "bioguide_id": leg.legislator_id,
                "name": leg.name,
                "title": leg.title,
                "result": leg.status,
                "reported": report.outcome if report else None,
                "legs": [],
            }
            by_key[leg.target_key] = entry
            targets.append(entry)
        entry["legs"].append(_leg_out(leg))
        entry["result"] = leg.status  # the last attempt's status
    return {
        "id": str(session.id),
        "campaign": session.campaign.slug,
        "direction": session.direction,
        "status": session.status,
        "outcome": session.outcome,
        "split_zip": session.split_zip,
        "created_at": session.created_at,
        "answered_at": session.answered_at,
        "connected_at": session.connected_at,
        "ended_at": session.ended_at,
        "duration": session.duration,
        "targets": targets,
    }
