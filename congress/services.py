from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from congress import sources, turnover
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


# Published crosswalk files whose lines are known, by the SHA-256 of their bytes. The file names no
# Congress itself, so without this (or an operator's word) a reload could not tell old lines from new.
KNOWN_CROSSWALKS = {
    # us-zipcodes-congress zccd.csv at f58fe99 (2024-11-12), built from the 119th Congress's block
    # equivalency files.
    "2737474129243d8c53df02db43fc5d6e3d2274fe1af131c35517fb437e76fc01": 119,
}


class ShrinkRefused(sources.DataError):
    pass


@dataclass(frozen=True)
class CrosswalkPlan:
    congress: int
    source: str  # stated, known, kept, assumed
    load_rows: bool  # False: the rows already loaded stay as they are
    digest: str
    note: str


def crosswalk_plan(
    *, digest: str, stated: int | None, roster_congress: int, previous: DataLoad | None
) -> CrosswalkPlan:
    """Which Congress's lines the crosswalk describes, and whether to load its rows.

    An operator's word wins; then a published file whose lines are known; then the previous load's
    number when the file is the same. A changed file that nobody vouched for is not loaded: the rows
    already in place stay, so a daily reload can never stamp new lines with an old number or the reverse.
    Only a first load with an unknown file takes the roster's number, and says it assumed it."""
    stated = stated or settings.CONGRESS_CROSSWALK_CONGRESS
    same_file = previous is not None and previous.crosswalk_digest == digest
    if stated:
        return CrosswalkPlan(stated, "stated", True, digest, "stated by the operator")
    if digest in KNOWN_CROSSWALKS:
        return CrosswalkPlan(KNOWN_CROSSWALKS[digest], "known", True, digest, "a published file whose lines are known")
    if previous is not None and same_file:
        return CrosswalkPlan(previous.crosswalk_congress, "kept", True, digest, "same file as the previous load")
    if previous is not None:
        return CrosswalkPlan(
            previous.crosswalk_congress, "kept", False, previous.crosswalk_digest,
            "the crosswalk file changed but nobody stated whose lines it holds; the previous crosswalk stays"
            " loaded (run sync_congress --crosswalk-congress N to load it)",
        )  # fmt: skip
    return CrosswalkPlan(roster_congress, "assumed", True, digest, "first load: assumed to be the roster's lines")


def _shrink_check(name: str, current: int, new: int, allow_shrink: bool) -> None:
    if not allow_shrink and current and new < current * SHRINK_GUARD:
        raise ShrinkRefused(
            name, f"would replace {current} rows with {new}; refusing (pass --allow-shrink if this is intended)"
        )


def congress_data_sync(
    *,
    source: str,
    congress: int | None = None,
    crosswalk_congress: int | None = None,
    allow_shrink: bool = False,
    progress: Callable[[str], None] = lambda _m: None,
) -> DataLoad:
    """Load the Congress data from `source`, all or nothing.

    `congress` is the roster's Congress (derived from the House terms when not given);
    `crosswalk_congress` the Congress whose lines the ZIP crosswalk holds (see crosswalk_plan).
    Every file is read and validated first; the writes then happen in one transaction, so a bad file
    leaves the previous data in place. Running it twice with the same files changes nothing but the
    load record. The load's `report` says what changed and what queued work each change touched.
    """
    data = sources.load_dataset(source, progress)
    congress = congress or sources.congress_for(data.legislators)
    previous = DataLoad.objects.order_by("-id").first()
    plan = crosswalk_plan(
        digest=data.crosswalk_digest, stated=crosswalk_congress, roster_congress=congress, previous=previous
    )
    _shrink_check(
        sources.LEGISLATORS, Legislator.objects.filter(in_office=True).count(), len(data.legislators), allow_shrink
    )
    if plan.load_rows:
        _shrink_check(sources.CROSSWALK, ZipDistrict.objects.count(), len(data.crosswalk), allow_shrink)

    with transaction.atomic():
        before = turnover.roster_state()
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

        in_place = (
            previous is not None
            and previous.crosswalk_digest == plan.digest
            and previous.crosswalk_congress == plan.congress
        )
        if plan.load_rows and in_place:
            # The same file on the same lines: its rows are in the table already (a daily reload of an
            # unchanged crosswalk rewrote 42,000 rows for nothing).
            progress(f"crosswalk: unchanged, {len(data.crosswalk)} rows on the {plan.congress}th Congress's lines kept")
        elif plan.load_rows:
            # Only one crosswalk is ever read: an older Congress's rows would only grow the table.
            ZipDistrict.objects.all().delete()
            ZipDistrict.objects.bulk_create(
                [ZipDistrict(congress=plan.congress, zcta=z, state=s, district=d) for z, s, d in data.crosswalk],
                batch_size=5000,
            )
            progress(f"crosswalk: {len(data.crosswalk)} ZIP/district rows on the {plan.congress}th Congress's lines")
        else:
            progress(f"crosswalk: NOT loaded: {plan.note}")

        after = turnover.roster_state()
        if previous is None:
            # A first load changes nobody's seat: listing 537 "joined" members would hide nothing but noise.
            change = turnover.RosterChange(congress_before=None, congress_after=congress)
        else:
            change = turnover.roster_change(
                congress_before=previous.congress, congress_after=congress, before=before, after=after
            )
        work = turnover.run_handlers(change) if previous is not None else {}
        report = turnover.change_report(change, work, new_seats=after[0])
        report["crosswalk"] = {"congress": plan.congress, "source": plan.source, "loaded": plan.load_rows,
                               "note": plan.note}  # fmt: skip
        if plan.congress != congress:
            unchanged = sorted(settings.CONGRESS_LINES_UNCHANGED.get((plan.congress, congress), ()))
            report["crosswalk"]["lines_unchanged_states"] = unchanged

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
            "crosswalk_rows": len(data.crosswalk) if plan.load_rows else 0,
            "crosswalk_zctas": len({z for z, _s, _d in data.crosswalk}) if plan.load_rows else 0,
        }
        load = DataLoad.objects.create(
            source=data.source,
            upstream_date=data.upstream_date,
            congress=congress,
            crosswalk_congress=plan.congress,
            crosswalk_congress_source=plan.source,
            crosswalk_digest=plan.digest,
            counts=counts,
            report=report,
        )
    return load
