"""What a roster load changed, and who is told.

Each load is compared with the roster before it: who joined, who left, who moved seat, whose DC phone or
district offices changed. Apps higher up (outreach) register a handler here at start, without this app
importing them; each handler sees the change inside the load's transaction, acts on its own queued work
(re-targets or holds what was meant for a departed member) and says how much of it each change touched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from congress.models import Legislator, Office


@dataclass(frozen=True)
class Seat:
    bioguide_id: str
    name: str
    chamber: str
    state: str
    district: int | None
    senate_class: int | None
    phone: str

    @property
    def label(self) -> str:
        if self.chamber == "senate":
            return f"{self.state} senator"
        return f"{self.state}-AL" if self.district == 0 else f"{self.state}-{self.district:02d}"

    def as_dict(self) -> dict:
        return {"bioguide_id": self.bioguide_id, "name": self.name, "seat": self.label}


@dataclass
class RosterChange:
    """The difference between two rosters; handlers read it, the report is built from it."""

    congress_before: int | None
    congress_after: int
    joined: list[Seat] = field(default_factory=list)
    left: list[Seat] = field(default_factory=list)
    moved: list[tuple[Seat, Seat]] = field(default_factory=list)  # (before, after)
    phone_changed: list[tuple[Seat, Seat]] = field(default_factory=list)
    offices_changed: dict[str, dict[str, int]] = field(default_factory=dict)  # bioguide -> added/removed/changed

    @property
    def roster_changed(self) -> bool:
        return bool(self.joined or self.left or self.moved or self.phone_changed or self.offices_changed)


# A handler takes the change and returns {bioguide_id: {what: count}} for the queued work it touched.
TurnoverHandler = Callable[[RosterChange], dict[str, dict[str, int]]]
_handlers: dict[str, TurnoverHandler] = {}


def register_turnover_handler(*, name: str, handler: TurnoverHandler) -> None:
    _handlers[name] = handler


def roster_state() -> tuple[dict[str, Seat], dict[str, dict[str, tuple]]]:
    """The in-office roster and each member's district offices, read before a load replaces them."""
    seats = {
        row[0]: Seat(row[0], row[1] or f"{row[2]} {row[3]}", *row[4:])
        for row in Legislator.objects.filter(in_office=True).values_list(
            "bioguide_id",
            "official_full",
            "first_name",
            "last_name",
            "chamber",
            "state",
            "district",
            "senate_class",
            "phone",
        )  # fmt: skip
    }
    offices: dict[str, dict[str, tuple]] = {}
    for office_id, bioguide, address, suite, city, phone in Office.objects.values_list(
        "office_id", "legislator_id", "address", "suite", "city", "phone"
    ):
        offices.setdefault(bioguide, {})[office_id] = (address, suite, city, phone)
    return seats, offices


def roster_change(
    *,
    congress_before: int | None,
    congress_after: int,
    before: tuple[dict[str, Seat], dict[str, dict[str, tuple]]],
    after: tuple[dict[str, Seat], dict[str, dict[str, tuple]]],
) -> RosterChange:
    (old, old_offices), (new, new_offices) = before, after
    change = RosterChange(congress_before=congress_before, congress_after=congress_after)
    change.joined = [new[b] for b in sorted(new.keys() - old.keys())]
    change.left = [old[b] for b in sorted(old.keys() - new.keys())]
    for bioguide in sorted(old.keys() & new.keys()):
        was, now = old[bioguide], new[bioguide]
        if (was.chamber, was.state, was.district) != (now.chamber, now.state, now.district):
            change.moved.append((was, now))
        if was.phone != now.phone:
            change.phone_changed.append((was, now))
        mine_before, mine_after = old_offices.get(bioguide, {}), new_offices.get(bioguide, {})
        if mine_before != mine_after:
            change.offices_changed[bioguide] = {
                "added": len(mine_after.keys() - mine_before.keys()),
                "removed": len(mine_before.keys() - mine_after.keys()),
                "changed": sum(1 for k in mine_before.keys() & mine_after.keys() if mine_before[k] != mine_after[k]),
            }
    return change


def run_handlers(change: RosterChange) -> dict[str, dict[str, int]]:
    """Every registered handler's counts, merged per member."""
    work: dict[str, dict[str, int]] = {}
    for _name, handler in sorted(_handlers.items()):
        for bioguide, counts in handler(change).items():
            mine = work.setdefault(bioguide, {})
            for what, n in counts.items():
                if n:
                    mine[what] = mine.get(what, 0) + n
    return work


def change_report(change: RosterChange, work: dict[str, dict[str, int]], *, new_seats: dict[str, Seat]) -> dict:
    """The JSON kept on the load and printed by sync_congress."""

    def entry(seat: Seat, **more) -> dict:
        found = work.get(seat.bioguide_id)
        return {**seat.as_dict(), **more, **({"queued_work": found} if found else {})}

    return {
        "congress": {"before": change.congress_before, "after": change.congress_after},
        "joined": [entry(s) for s in change.joined],
        "left": [entry(s) for s in change.left],
        "moved": [entry(now, **{"from": was.label}) for was, now in change.moved],
        "phone_changed": [entry(now, **{"from": was.phone, "to": now.phone}) for was, now in change.phone_changed],
        "offices_changed": [entry(new_seats[b], **counts) for b, counts in sorted(change.offices_changed.items())],
    }


def report_lines(report: dict) -> list[str]:
    """The change report as lines for a terminal or the admin."""
    lines = []
    congress = report.get("congress") or {}
    if congress and congress.get("before") is None:
        lines.append(f"first load: the {congress.get('after')}th Congress's roster")
    elif congress.get("before") != congress.get("after"):
        lines.append(f"roster: {congress.get('before') or 'none'}th -> {congress.get('after')}th Congress")
    crosswalk = report.get("crosswalk") or {}
    if crosswalk:
        lines.append(f"ZIP crosswalk: {crosswalk.get('congress')}th Congress's lines ({crosswalk.get('note', '')})")
    titles = {"joined": "joined", "left": "left office", "moved": "moved seat", "phone_changed": "changed DC phone",
              "offices_changed": "changed district offices"}  # fmt: skip
    for key, title in titles.items():
        entries = report.get(key) or []
        lines.append(f"{title}: {len(entries)}")
        for e in entries:
            detail = f" (from {e['from']})" if key == "moved" else ""
            if key == "phone_changed":
                detail = f" ({e['from'] or 'none'} -> {e['to'] or 'none'})"
            if key == "offices_changed":
                detail = f" (+{e['added']} -{e['removed']} ~{e['changed']})"
            work = e.get("queued_work")
            touched = "; queued work: " + ", ".join(f"{k}={v}" for k, v in sorted(work.items())) if work else ""
            lines.append(f"  {e['name']} [{e['bioguide_id']}] {e['seat']}{detail}{touched}")
    return lines
