"""What the incident API answers, for the OpenAPI document."""


from ninja import Field, Schema

from schoolsafe.alerts.api_output import PersonOut


class RoomStatusOut(Schema):
    id: int
    room: str
    status: str = Field(..., description="ok, need_help, injured, missing, extra")
    present: int | None
    staff: int | None
    visitors: int | None
    injured: int | None
    missing: list[str] = Field(..., description="names; empty for those who may not read them (missing_count)")
    extra: list[str]
    missing_count: int
    extra_count: int
    names_withheld: bool = Field(..., description="true when names exist but the caller may not read them")
    note: str
    reported_by: PersonOut | None
    reported_at: str


class RoomCounts(Schema):
    rooms: int = Field(..., description="rooms expected or reported")
    reported: int
    not_reported: int
    by_status: dict[str, int]
    present: int
    staff: int
    visitors: int
    adults: int = Field(..., description="staff and visitors")
    injured: int
    missing: int
    extra: int


class RoomReleaseOut(Schema):
    id: int
    room: str
    released_by: PersonOut | None
    released_at: str
    note: str


class ReleaseBoardOut(Schema):
    required: bool = Field(..., description="true for a lockdown: rooms are released in person, one by one")
    released: list[RoomReleaseOut]
    not_released: list[str]


class ThreatLocationOut(Schema):
    id: int
    location: str
    note: str
    reported_by: PersonOut | None
    reported_at: str


class RoomBoardOut(Schema):
    alert: int
    rooms: list[RoomStatusOut] = Field(..., description="the latest report of each room, by room name")
    not_reported: list[str] = Field(..., description="expected rooms (from staff profiles) without a report yet")
    release: ReleaseBoardOut | None = Field(..., description="lockdown only: which rooms are released")
    counts: RoomCounts


class MessageOut(Schema):
    id: int
    author: PersonOut | None
    text: str
    at: str


class MessagesOut(Schema):
    alert: int
    items: list[MessageOut]


class EntryOut(Schema):
    at: str
    kind: str = Field(..., description="raised, delivered, acknowledged, escalated, room_status, message, "
                                       "all_clear, cancelled")
    actor: str | None = Field(..., description="who did it; null for the system (delivery, escalation)")
    text: str


class TimelineOut(Schema):
    alert: int
    entries: list[EntryOut]
