"""Retention of what contacts holds: consent records' IP hashes are blanked after RETENTION_IP_HASH_DAYS,
and contacts left with nothing once another app purged its rows are deleted (see docs/privacy.md).

Supporters include people at risk from immigration enforcement: what we do not keep cannot be demanded.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import ForeignObjectRel
from django.utils import timezone

from contacts.models import ConsentRecord, Contact


def ip_hash_cutoff(*, now: datetime | None = None) -> datetime | None:
    """Rows created before this lose their IP hash; None when RETENTION_IP_HASH_DAYS is 0 (kept)."""
    days = settings.RETENTION_IP_HASH_DAYS
    if not days:
        return None
    return (now or timezone.now()) - timedelta(days=days)


def consent_ip_hashes_forget(*, now: datetime | None = None) -> int:
    """Blank the IP hash of consent records older than RETENTION_IP_HASH_DAYS; returns how many. The
    record itself stays: a withdrawal must still be honoured, and the wording shown is the proof."""
    cutoff = ip_hash_cutoff(now=now)
    if cutoff is None:
        return 0
    return ConsentRecord.objects.filter(created_at__lt=cutoff).exclude(ip_hash="").update(ip_hash="")


def _data_relations() -> list[ForeignObjectRel]:
    """Every relation another table holds to a contact (signatures, calls, letters, tags, and whatever
    an app adds later), found from the models themselves so contacts imports none of those apps. The
    contact's own consent history is not "other data": it goes with the contact."""
    return [
        f
        for f in Contact._meta.get_fields(include_hidden=True)
        if isinstance(f, ForeignObjectRel) and f.related_model is not ConsentRecord
    ]


def contacts_delete_unused(*, contact_ids: Iterable[int]) -> int:
    """Delete those of `contact_ids` that no row of any other table refers to (no signature, call,
    letter or tag left); returns how many. Their consent records go with them. A contact with anything
    else is kept as it is.

    Callers purge their own rows first (petitions: pending signatures never confirmed). The rows are
    locked before the check, so a signature committed meanwhile is seen and keeps its contact.
    """
    ids = sorted(set(contact_ids))
    if not ids:
        return 0
    with transaction.atomic():
        ids = list(Contact.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
        used: set[int] = set()
        for rel in _data_relations():
            field = rel.field.name
            manager = rel.related_model._base_manager
            used.update(manager.filter(**{f"{field}__in": ids}).values_list(field, flat=True).distinct())
        unused = [pk for pk in ids if pk not in used]
        if not unused:
            return 0
        ConsentRecord.objects.filter(contact_id__in=unused).delete()
        Contact.objects.filter(pk__in=unused).delete()
    return len(unused)
