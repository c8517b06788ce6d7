"""Organizers' writes to petitions: create, update (open, close, reopen) with their targets checked, and
closing a campaign's petitions with it."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from congress.models import Legislator
from organizing.models import Campaign
from petitions.models import Petition, Signature
from petitions.selectors import petition_forget


def _validate_targets(target_kind: str, bioguide_ids: list[str], names: list[Any]) -> None:
    errors: dict[str, list[str]] = {}
    if target_kind == Petition.TargetKind.SPECIFIC:
        if not bioguide_ids:
            errors["target_bioguide_ids"] = ["Name at least one member of Congress."]
        else:
            known = set(Legislator.objects.filter(bioguide_id__in=bioguide_ids).values_list("bioguide_id", flat=True))
            unknown = sorted(set(bioguide_ids) - known)
            if unknown:
                errors["target_bioguide_ids"] = [f"Unknown bioguide ids: {', '.join(unknown)}"]
    if target_kind == Petition.TargetKind.NAMED and not [n for n in names if str(n).strip()]:
        errors["target_names"] = ["Name at least one body, e.g. 'U.S. Department of Homeland Security'."]
    if errors:
        raise ValidationError(errors)


def petition_create(
    *,
    campaign: Campaign,
    slug: str,
    title: str,
    petition_text: str,
    description: str = "",
    target_kind: str = Petition.TargetKind.OWN_MEMBERS,
    target_bioguide_ids: list[str] | None = None,
    target_names: list[str] | None = None,
    goal: int = 1000,
    status: str = Petition.Status.DRAFT,
    confirmation_required: bool = False,
) -> Petition:
    if status == Petition.Status.CLOSED:
        raise ValidationError({"status": ["A petition is created as a draft or open."]})
    if Petition.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": ["A petition with this slug exists."]})
    _validate_targets(target_kind, target_bioguide_ids or [], target_names or [])
    try:
        with transaction.atomic():
            return Petition.objects.create(
                campaign=campaign,
                slug=slug,
                title=title,
                petition_text=petition_text,
                description=description,
                target_kind=target_kind,
                target_bioguide_ids=target_bioguide_ids or [],
                target_names=target_names or [],
                goal=goal,
                status=status,
                confirmation_required=confirmation_required,
            )
    except IntegrityError as exc:
        raise ValidationError({"slug": ["A petition with this slug exists."]}) from exc


_ALLOWED_MOVES: dict[str, set[str]] = {
    Petition.Status.DRAFT: {Petition.Status.DRAFT, Petition.Status.OPEN, Petition.Status.CLOSED},
    Petition.Status.OPEN: {Petition.Status.OPEN, Petition.Status.CLOSED},
    Petition.Status.CLOSED: {Petition.Status.CLOSED, Petition.Status.OPEN},
}


@transaction.atomic
def petition_update(*, petition: Petition, **changes: Any) -> Petition:
    """Change a petition. `status` may go draft -> open -> closed (and closed -> open to reopen);
    a petition that has signatures cannot go back to draft, and its text is frozen once people signed."""
    petition = Petition.objects.select_for_update().get(pk=petition.pk)
    allowed = {
        "title",
        "description",
        "petition_text",
        "target_kind",
        "target_bioguide_ids",
        "target_names",
        "goal",
        "status",
        "confirmation_required",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"unknown petition fields: {sorted(unknown)}")
    new_status = changes.get("status", petition.status)
    if new_status not in _ALLOWED_MOVES[petition.status]:
        raise ValidationError({"status": [f"A {petition.status} petition cannot become {new_status}."]})
    has_signatures = Signature.objects.filter(petition=petition).exists()
    if has_signatures and "petition_text" in changes and changes["petition_text"] != petition.petition_text:
        raise ValidationError({"petition_text": ["People have signed this text; it cannot change now."]})
    _validate_targets(
        changes.get("target_kind", petition.target_kind),
        changes.get("target_bioguide_ids", petition.target_bioguide_ids),
        changes.get("target_names", petition.target_names),
    )
    for name, value in changes.items():
        setattr(petition, name, value)
    petition.save()
    transaction.on_commit(lambda: petition_forget(slug=petition.slug))
    return petition


# --- The campaign closing -----------------------------------------------------------------------------
def petitions_close_for_campaign(campaign: Campaign) -> None:
    """A closed campaign takes no more signatures: its open petitions close with it (registered with the
    campaign domain's closers in petitions/apps.py)."""
    closing = list(
        Petition.objects.filter(campaign=campaign, status=Petition.Status.OPEN).values_list("slug", flat=True)
    )
    Petition.objects.filter(campaign=campaign, slug__in=closing).update(
        status=Petition.Status.CLOSED, updated_at=timezone.now()
    )
    for slug in closing:
        transaction.on_commit(partial(petition_forget, slug=slug))
