"""Who covers which school, on which weekday and hour, in one week, and the gaps in it.

The computation (`compute`) is a pure function of the rows it is given: the schools, their instruction
hours and the assignments with their weekly blocks, so that it is tested without a database and the board,
the map and the API say the same thing. `load_week` reads those rows through the access policy.

Three kinds of gap are flagged, each with its reason in words:
- a school without anyone posted during part or all of its instruction hours;
- a person posted twice at once (two blocks of two assignments overlapping on the same day);
- an assignee whose required training is missing or expired, as the training app's check says
  (`reads.register_training_check`); with no check registered, every assignee's training is "unknown",
  never "ok".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from schoolsafe.sro.models.program import DEFAULT_INSTRUCTION, WEEKDAYS

INSTRUCTION, DOUBLE, TRAINING = "instruction", "double", "training"


def hhmm(t: dt.time) -> str:
    return f"{t:%H:%M}"


def span(starts: dt.time, ends: dt.time) -> str:
    return f"{hhmm(starts)}–{hhmm(ends)}"


def week_start(day: dt.date) -> dt.date:
    """The Monday of the week holding `day`."""
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class Block:
    weekday: int
    starts: dt.time
    ends: dt.time


@dataclass(frozen=True)
class SchoolRow:
    id: int
    name: str
    latitude: float | None = None
    longitude: float | None = None
    # weekday -> (starts, ends); empty means the default week (Mon–Fri 07:30–14:30).
    hours: dict[int, tuple[dt.time, dt.time]] = field(default_factory=dict)

    def instruction(self) -> dict[int, tuple[dt.time, dt.time]]:
        return dict(self.hours) if self.hours else dict(DEFAULT_INSTRUCTION)


@dataclass(frozen=True)
class Posting:
    """An assignment as the computation needs it."""

    assignment_id: int
    person_id: int
    person_name: str
    kind: str
    kind_label: str
    role: str
    school_id: int
    start_date: dt.date
    end_date: dt.date | None
    blocks: tuple[Block, ...]
    # What the training check says: None unknown, [] current, else the missing or expired requirements.
    training: list[str] | None = None

    def active_on(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


@dataclass(frozen=True)
class CellEntry:
    person_name: str
    hours: str
    role: str
    kind_label: str
    assignment_id: int


@dataclass(frozen=True)
class Gap:
    kind: str
    reason: str
    school_ids: tuple[int, ...]
    weekday: int | None = None
    person_id: int | None = None


@dataclass
class Coverage:
    week: dt.date
    schools: list[SchoolRow]
    weekdays: list[int]
    cells: dict[tuple[int, int], list[CellEntry]]
    gaps: list[Gap]
    # weekday -> (starts, ends) per school, for the board's captions.
    instruction: dict[int, dict[int, tuple[dt.time, dt.time]]]

    def day(self, weekday: int) -> dt.date:
        return self.week + dt.timedelta(days=weekday)

    def gaps_for(self, school_id: int, weekday: int | None = None) -> list[Gap]:
        return [g for g in self.gaps if school_id in g.school_ids and (weekday is None or g.weekday == weekday)]

    def status(self, school_id: int) -> str:
        """'gap' when the school has any coverage or double-assignment gap this week, else 'covered'."""
        return "gap" if any(g.kind != TRAINING for g in self.gaps_for(school_id)) else "covered"


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _time(minutes: int) -> dt.time:
    return dt.time(minutes // 60, minutes % 60)


def uncovered(window: tuple[dt.time, dt.time], blocks: list[tuple[dt.time, dt.time]]) -> list[tuple[dt.time, dt.time]]:
    """The parts of `window` that no block covers, in order."""
    start, end = _minutes(window[0]), _minutes(window[1])
    holes: list[tuple[dt.time, dt.time]] = []
    cursor = start
    for b_start, b_end in sorted((_minutes(s), _minutes(e)) for s, e in blocks):
        if b_end <= cursor:
            continue
        if b_start >= end:
            break
        if b_start > cursor:
            holes.append((_time(cursor), _time(b_start)))
        cursor = max(cursor, b_end)
        if cursor >= end:
            break
    if cursor < end:
        holes.append((_time(cursor), _time(end)))
    return holes


def compute(week: dt.date, schools: list[SchoolRow], postings: list[Posting],
            names: dict[int, str] | None = None) -> Coverage:
    """The coverage of `schools` in the week starting on Monday `week`, from `postings` (assignments that may
    or may not be active that week: each block counts on the days the assignment is active)."""
    week = week_start(week)
    names = names or {s.id: s.name for s in schools}
    school_ids = {s.id for s in schools}
    cells: dict[tuple[int, int], list[CellEntry]] = defaultdict(list)
    gaps: list[Gap] = []
    # (person, weekday) -> [(block, posting)]
    by_person: dict[tuple[int, int], list[tuple[Block, Posting]]] = defaultdict(list)
    used_days: set[int] = set(range(5))
    for posting in postings:
        for block in posting.blocks:
            if not posting.active_on(week + dt.timedelta(days=block.weekday)):
                continue
            by_person[(posting.person_id, block.weekday)].append((block, posting))
            if posting.school_id in school_ids:
                used_days.add(block.weekday)
                cells[(posting.school_id, block.weekday)].append(CellEntry(
                    posting.person_name, span(block.starts, block.ends), posting.role, posting.kind_label,
                    posting.assignment_id))
    instruction = {s.id: s.instruction() for s in schools}
    for hours in instruction.values():
        used_days |= set(hours)
    for school in schools:
        for weekday, window in sorted(instruction[school.id].items()):
            covered = [(b.starts, b.ends) for p in postings if p.school_id == school.id
                       for b in p.blocks if b.weekday == weekday and p.active_on(week + dt.timedelta(days=weekday))]
            for starts, ends in uncovered(window, covered):
                gaps.append(Gap(INSTRUCTION, f"no coverage during instruction hours ({WEEKDAYS[weekday]} "
                                             f"{span(starts, ends)})", (school.id,), weekday))
    for (person_id, weekday), items in sorted(by_person.items()):
        items.sort(key=lambda item: item[0].starts)
        for i, (a, pa) in enumerate(items):
            for b, pb in items[i + 1:]:
                if pa.assignment_id == pb.assignment_id or b.starts >= a.ends:
                    continue
                if pa.school_id not in school_ids and pb.school_id not in school_ids:
                    continue
                overlap = span(max(a.starts, b.starts), min(a.ends, b.ends))
                where = (f"at {names.get(pa.school_id, 'another school')} and "
                         f"{names.get(pb.school_id, 'another school')}")
                gaps.append(Gap(DOUBLE, f"{pa.person_name} assigned twice at once "
                                        f"({WEEKDAYS[weekday]} {overlap} {where})",
                                tuple(sorted({pa.school_id, pb.school_id} & school_ids)), weekday, person_id))
    week_end = week + dt.timedelta(days=6)
    for posting in postings:
        if posting.school_id not in school_ids or posting.start_date > week_end or (
                posting.end_date is not None and posting.end_date < week):
            continue
        who = f"{posting.person_name} ({posting.kind_label} at {names.get(posting.school_id, '')})"
        if posting.training is None:
            gaps.append(Gap(TRAINING, f"training unknown for {who}", (posting.school_id,),
                            person_id=posting.person_id))
        elif posting.training:
            gaps.append(Gap(TRAINING, f"training missing or expired for {who}: {', '.join(posting.training)}",
                            (posting.school_id,), person_id=posting.person_id))
    for entries in cells.values():
        entries.sort(key=lambda e: e.hours)
    return Coverage(week, schools, sorted(used_days), dict(cells), gaps, instruction)


def training_label(training: list[str] | None) -> str:
    if training is None:
        return "training: unknown"
    return "training: ok" if not training else f"training: missing or expired ({', '.join(training)})"


# --- reading the rows (through the access policy) ----------------------------------------------------------


def load_week(user: Any, week: dt.date) -> Coverage:
    """The coverage of the schools `user` may see the coverage of, in the week holding `week`."""
    from schoolsafe.access.policy import allowed_roles_for_label, reached_schools
    from schoolsafe.sro.models import Assignment, InstructionHours
    from schoolsafe.sro.reads import training_status

    week = week_start(week)
    schools = list(reached_schools(user, allowed_roles_for_label("core.school", "sro_coverage"))
                   .order_by("name", "pk"))
    hours: dict[int, dict[int, tuple[dt.time, dt.time]]] = defaultdict(dict)
    for row in InstructionHours.objects.filter(school__in=schools):
        hours[row.school_id][row.weekday] = (row.starts, row.ends)
    rows = [SchoolRow(s.pk, s.name, s.latitude, s.longitude, dict(hours.get(s.pk, {}))) for s in schools]
    week_end = week + dt.timedelta(days=6)
    # Every posting of the people posted here, also elsewhere: a double assignment may span two agencies.
    visible = Assignment.objects.restrict(user, "view").filter(start_date__lte=week_end).exclude(end_date__lt=week)
    people = visible.values("person_id")
    assignments = (Assignment.objects.filter(person_id__in=people, start_date__lte=week_end)
                   .exclude(end_date__lt=week).select_related("person", "school").prefetch_related("blocks"))
    postings = [posting_of(a, training_status(a.person, a.kind)) for a in assignments]
    names = {a.school_id: a.school.name for a in assignments} | {s.pk: s.name for s in schools}
    return compute(week, rows, postings, names)


def posting_of(assignment: Any, training: list[str] | None = None) -> Posting:
    return Posting(
        assignment.pk, assignment.person_id, assignment.person.full_name or assignment.person.username,
        assignment.kind, assignment.get_kind_display(), assignment.role, assignment.school_id,
        assignment.start_date, assignment.end_date,
        tuple(Block(b.weekday, b.starts, b.ends) for b in assignment.blocks.all()), training)
