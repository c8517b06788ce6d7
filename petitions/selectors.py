from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, QuerySet, Sum

from congress.models import Legislator
from petitions.models import Petition, Signature, SignatureCountShard, SignatureIntake


@dataclass(frozen=True)
class Counts:
    confirmed: int
    pending: int

    @property
    def public(self) -> int:
        # Only confirmed signatures are shown; without confirmation every signature is confirmed at once.
        return self.confirmed


def _count_key(petition_id: int) -> str:
    return f"petition-count:{petition_id}"


_process_counts: dict[int, tuple[float, Counts]] = {}


def signature_counts(*, petition_id: int) -> Counts:
    """The petition's counts: the sum of its shards and its undrained intake rows, cached in the shared cache for
    PETITION_COUNT_CACHE_SECONDS and then in each process for PETITION_COUNT_PROCESS_SECONDS, so at
    most the sum of the two stale (settings keep it <= 2 s). The read takes no lock and never waits on
    signers. The process layer spares the sign path a cache round trip per signer."""
    ttl = settings.PETITION_COUNT_CACHE_SECONDS
    if ttl <= 0:
        return _counts_from_db(petition_id)
    local_ttl = settings.PETITION_COUNT_PROCESS_SECONDS
    now = time.monotonic()
    if local_ttl > 0:
        hit = _process_counts.get(petition_id)
        if hit is not None and now - hit[0] < local_ttl:
            return hit[1]
    cached = cache.get(_count_key(petition_id))
    if cached is not None:
        counts = Counts(*cached)
    else:
        counts = _counts_from_db(petition_id)
        cache.set(_count_key(petition_id), (counts.confirmed, counts.pending), ttl)
    if local_ttl > 0:
        _process_counts[petition_id] = (now, counts)
    return counts


def signature_counts_many(*, petition_ids: list[int]) -> dict[int, Counts]:
    """signature_counts for several petitions (a public list): the same caches, then one cache round
    trip and one grouped query for all the petitions they miss."""
    ttl = settings.PETITION_COUNT_CACHE_SECONDS
    local_ttl = settings.PETITION_COUNT_PROCESS_SECONDS
    now = time.monotonic()
    found: dict[int, Counts] = {}
    missing = list(dict.fromkeys(petition_ids))
    if ttl > 0:
        if local_ttl > 0:
            for pid in missing:
                hit = _process_counts.get(pid)
                if hit is not None and now - hit[0] < local_ttl:
                    found[pid] = hit[1]
            missing = [pid for pid in missing if pid not in found]
        cached = cache.get_many([_count_key(pid) for pid in missing]) if missing else {}
        for pid in missing:
            value = cached.get(_count_key(pid))
            if value is not None:
                found[pid] = Counts(*value)
        missing = [pid for pid in missing if pid not in found]
    from_db = _counts_from_db_many(missing) if missing else {}
    found.update(from_db)
    if ttl > 0:
        if from_db:
            cache.set_many({_count_key(pid): (c.confirmed, c.pending) for pid, c in from_db.items()}, ttl)
        if local_ttl > 0:
            for pid, counts in found.items():
                _process_counts.setdefault(pid, (now, counts))
    return found


def _counts_from_db_many(petition_ids: list[int]) -> dict[int, Counts]:
    """The shards' sums plus the intake rows not drained yet, in ONE statement: a drain moves rows from
    the second part to the first in one transaction, so a single snapshot counts each signer once."""
    shards = (
        SignatureCountShard.objects.filter(petition_id__in=petition_ids)
        .values_list("petition_id", "status")
        .annotate(n=Sum("count"))
        .order_by()
    )
    undrained = (
        SignatureIntake.objects.filter(petition_id__in=petition_ids, drained_at__isnull=True)
        .values_list("petition_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    sums: dict[int, dict[str, int]] = {pid: {} for pid in petition_ids}
    for pid, status, n in shards.union(undrained, all=True):
        sums[pid][status] = sums[pid].get(status, 0) + int(n or 0)
    return {
        pid: Counts(confirmed=by.get(Signature.Status.CONFIRMED, 0), pending=by.get(Signature.Status.PENDING, 0))
        for pid, by in sums.items()
    }


def _counts_from_db(petition_id: int) -> Counts:
    return _counts_from_db_many([petition_id])[petition_id]


_signing_cache: dict[str, tuple[float, Petition]] = {}


def petition_for_signing(*, slug: str) -> Petition | None:
    """The petition a signature is for, remembered per process for PETITION_CACHE_SECONDS.

    On the sign path this saves a query per signer; a status change (closing) reaches every process
    within that time, and at once in the process that made it. Only existing petitions are remembered,
    so requests for made-up slugs cannot grow the memory.
    """
    ttl = settings.PETITION_CACHE_SECONDS
    now = time.monotonic()
    hit = _signing_cache.get(slug)
    if ttl > 0 and hit is not None and now - hit[0] < ttl:
        return hit[1]
    petition = Petition.objects.select_related("campaign").filter(slug=slug).first()
    if ttl > 0 and petition is not None:
        _signing_cache[slug] = (now, petition)
    return petition


def petition_forget(*, slug: str) -> None:
    _signing_cache.pop(slug, None)


def petition_public_get(*, slug: str) -> Petition | None:
    """A petition the public may see: open or closed, never a draft."""
    return (
        Petition.objects.select_related("campaign")
        .filter(slug=slug, status__in=[Petition.Status.OPEN, Petition.Status.CLOSED])
        .first()
    )


def petition_targets(petition: Petition, *, legislators: dict[str, Legislator] | None = None) -> list[dict]:
    """What the petition is addressed to. `legislators` (bioguide id -> Legislator), when given, spares
    the query: petitions_targets fetches them for a whole list at once."""
    if petition.target_kind == Petition.TargetKind.OWN_MEMBERS:
        return [{"kind": "own_members", "name": "Your senators and representative"}]
    if petition.target_kind == Petition.TargetKind.SPECIFIC:
        if legislators is None:
            legislators = _legislators(petition.target_bioguide_ids)
        return [
            {
                "kind": "member",
                "bioguide_id": bid,
                "name": legislators[bid].display_name if bid in legislators else bid,
                "title": legislators[bid].title if bid in legislators else "",
            }
            for bid in petition.target_bioguide_ids
        ]
    return [{"kind": "named", "name": name} for name in petition.target_names]


def petitions_targets(petitions: list[Petition]) -> dict[int, list[dict]]:
    """petition_targets for a list of petitions, with one Legislator query for all of them."""
    wanted = {bid for p in petitions if p.target_kind == Petition.TargetKind.SPECIFIC for bid in p.target_bioguide_ids}
    legislators = _legislators(wanted) if wanted else {}
    return {p.pk: petition_targets(p, legislators=legislators) for p in petitions}


def _legislators(bioguide_ids) -> dict[str, Legislator]:
    return {leg.bioguide_id: leg for leg in Legislator.objects.filter(bioguide_id__in=list(bioguide_ids))}


def signature_list(
    *,
    petition: Petition,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    state: str | None = None,
    district: int | None = None,
    status: str | None = None,
) -> QuerySet[Signature]:
    qs = Signature.objects.filter(petition=petition).select_related("contact")
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    if state:
        qs = qs.filter(district_state=state.upper())
    if district is not None:
        qs = qs.filter(district=district)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")
