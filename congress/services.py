from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from congress import sources
from congress.models import Committee, CommitteeMembership, DataLoad, Legislator, Office, ZipDistrict

# A load that would leave fewer than this share of the current rows is refused unless forced: a file cut
# short at a line boundary still parses, and would otherwise wipe most of the crosswalk.
SHRINK_GUARD = 0.5

_LEGISLATOR_FIELDS = [
    "first_name", "last_name", "official_full", "nickname", "chamber", "title", "state", "district",
    "senate_class", "state_rank", "party", "phone", "fax", "office_address", "url", "contact_form",
    "term_start", "term_end", "ids", "social", "in_office", "congress",
]  # fmt: skip
_OFFICE_FIELDS = [
    "legislator_id", "address", "suite", "building", "city", "state", "zip", "phone", "fax", "hours",
    "latitude", "longitude",
]  # fmt: skip
_COMMITTEE_FIELDS = ["kind", "name", "parent_id", "url", "phone", "address", "jurisdiction"]


class ShrinkRefused(sources.DataError):
    pass


def _shrink_check(name: str, current: int, new: int, allow_shrink: bool) -> None:
    if not allow_shrink and current and new < current * SHRINK_GUARD:
        raise ShrinkRefused(
            name, f"would replace {current} rows with {new}; refusing (pass --allow-shrink if this is intended)"
        )


def congress_data_sync(
    *,
    source: str,
    congress: int | None = None,
    allow_shrink: bool = False,
    progress: Callable[[str], None] = lambda _m: None,
) -> DataLoad:
    """Load the Congress data from `source`, all or nothing.

    Every file is read and validated first; the writes then happen in one transaction, so a bad file
    leaves the previous data in place. Running it twice with the same files changes nothing but the
    load record.
    """
    data = sources.load_dataset(source, progress)
    congress = congress or sources.congress_for(data.legislators)
    _shrink_check(
        sources.LEGISLATORS, Legislator.objects.filter(in_office=True).count(), len(data.legislators), allow_shrink
    )
    _shrink_check(
        sources.CROSSWALK, ZipDistrict.objects.filter(congress=congress).count(), len(data.crosswalk), allow_shrink
    )

    with transaction.atomic():
        legislators = [Legislator(**row, in_office=True, congress=congress) for row in data.legislators]
        Legislator.objects.bulk_create(
            legislators, update_conflicts=True, unique_fields=["bioguide_id"], update_fields=_LEGISLATOR_FIELDS
        )
        current_ids = {row["bioguide_id"] for row in data.legislators}
        retired = Legislator.objects.filter(in_office=True).exclude(bioguide_id__in=current_ids).update(in_office=False)
        progress(f"legislators: {len(legislators)} in office, {retired} marked out of office")

        offices = []
        skipped_offices = 0
        for row in data.offices:
            bioguide = row.pop("bioguide_id")
            if bioguide not in current_ids:
                skipped_offices += 1
                continue
            offices.append(Office(legislator_id=bioguide, **row))
        Office.objects.bulk_create(
            offices, update_conflicts=True, unique_fields=["office_id"], update_fields=_OFFICE_FIELDS, batch_size=500
        )
        Office.objects.exclude(office_id__in=[o.office_id for o in offices]).delete()
        progress(f"offices: {len(offices)} ({skipped_offices} skipped: member not in office)")

        committee_ids = [c["committee_id"] for c in data.committees]
        parents = [Committee(**c) for c in data.committees if c["parent_id"] is None]
        subs = [Committee(**c) for c in data.committees if c["parent_id"] is not None]
        for batch in (parents, subs):
            Committee.objects.bulk_create(
                batch, update_conflicts=True, unique_fields=["committee_id"], update_fields=_COMMITTEE_FIELDS
            )
        Committee.objects.exclude(committee_id__in=committee_ids).delete()

        known_committees = set(committee_ids)
        memberships = []
        skipped_members = 0
        for m in data.memberships:
            if m["committee_id"] not in known_committees or m["bioguide_id"] not in current_ids:
                skipped_members += 1
                continue
            memberships.append(
                CommitteeMembership(
                    committee_id=m["committee_id"],
                    legislator_id=m["bioguide_id"],
                    party=m["party"],
                    rank=m["rank"],
                    title=m["title"],
                )
            )
        CommitteeMembership.objects.all().delete()
        CommitteeMembership.objects.bulk_create(memberships, batch_size=1000)
        progress(
            f"committees: {len(parents)} committees, {len(subs)} subcommittees, {len(memberships)} memberships"
            f" ({skipped_members} skipped)"
        )

        ZipDistrict.objects.filter(congress=congress).delete()
        ZipDistrict.objects.bulk_create(
            [ZipDistrict(congress=congress, zcta=z, state=s, district=d) for z, s, d in data.crosswalk],
            batch_size=5000,
        )
        progress(f"crosswalk: {len(data.crosswalk)} ZIP/district rows for the {congress}th Congress")

        counts = {
            "legislators": len(legislators),
            "senators": sum(1 for r in data.legislators if r["chamber"] == "senate"),
            "representatives": sum(1 for r in data.legislators if r["title"] == "Representative"),
            "delegates": sum(1 for r in data.legislators if r["title"] in ("Delegate", "Resident Commissioner")),
            "out_of_office": retired,
            "offices": len(offices),
            "social": sum(1 for r in data.legislators if r["social"]),
            "committees": len(parents),
            "subcommittees": len(subs),
            "memberships": len(memberships),
            "crosswalk_rows": len(data.crosswalk),
            "crosswalk_zctas": len({z for z, _s, _d in data.crosswalk}),
        }
        load = DataLoad.objects.create(
            source=data.source, upstream_date=data.upstream_date, congress=congress, counts=counts
        )
    return load
