"""What organizers need to know about the Congress data: which roster and which lines the lookups use, what
the last load changed, and how many of their letters wait because their member left office."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet

from congress.models import DataLoad
from organizing.models import Campaign
from outreach.models import Letter
from petitions.models import Petition


@dataclass
class CongressStatus:
    congress: int
    lines_congress: int
    loaded_at: datetime
    joined: list[dict] = field(default_factory=list)
    left: list[dict] = field(default_factory=list)
    moved: list[dict] = field(default_factory=list)
    held_letters: int = 0

    @property
    def lines_differ(self) -> bool:
        return self.lines_congress != self.congress


def congress_status(*, campaigns: QuerySet[Campaign]) -> CongressStatus | None:
    """The newest load and, among the given campaigns' letters, those held because their member left."""
    load = DataLoad.objects.order_by("-id").first()
    if load is None:
        return None
    report = load.report or {}
    petitions = Petition.objects.filter(campaign__in=campaigns).values("pk")
    held = Letter.objects.filter(
        Q(action__campaign__in=campaigns) | Q(petition_batch__petition_id__in=petitions),
        status=Letter.Status.TARGET_LEFT,
    ).count()
    return CongressStatus(
        congress=load.congress,
        lines_congress=load.crosswalk_congress,
        loaded_at=load.loaded_at,
        joined=list(report.get("joined") or []),
        left=list(report.get("left") or []),
        moved=list(report.get("moved") or []),
        held_letters=held,
    )
