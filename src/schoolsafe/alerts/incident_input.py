"""What the incident API reads: room status reports, room releases, the threat's location, messages, and
the rules between their fields."""


from ninja.errors import HttpError
from pydantic import BaseModel, ConfigDict, StrictInt, field_validator
from pydantic import Field as PydanticField

from schoolsafe.alerts.models import RoomState

MAX_MESSAGE = 2000


MAX_NOTE = 2000


MAX_NAMES = 500


MAX_NAME = 150


MAX_COUNT = 100_000


class RoomStatusIn(BaseModel):
    """A room's (or group's) report. `missing` / `extra`: names of students; `present` / `injured`: counts."""

    model_config = ConfigDict(extra="forbid")

    room: str = PydanticField(..., max_length=60, description="the room or group, e.g. 'C-12'")
    status: RoomState
    present: StrictInt | None = PydanticField(None, ge=0, le=MAX_COUNT, description="students present")
    staff: StrictInt | None = PydanticField(None, ge=0, le=MAX_COUNT, description="staff present (adults)")
    visitors: StrictInt | None = PydanticField(None, ge=0, le=MAX_COUNT,
                                               description="visitors and other adults present")
    injured: StrictInt | None = PydanticField(None, ge=0, le=MAX_COUNT, description="number of injured people")
    missing: list[str] = PydanticField(default_factory=list, max_length=MAX_NAMES)
    extra: list[str] = PydanticField(default_factory=list, max_length=MAX_NAMES)
    note: str = PydanticField("", max_length=MAX_NOTE)

    @field_validator("room")
    @classmethod
    def room_given(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("required (the room or group reporting)")
        return value

    @field_validator("missing", "extra")
    @classmethod
    def clean_names(cls, value: list[str]) -> list[str]:
        cleaned = [" ".join(name.split()) for name in value]
        if any(not name for name in cleaned):
            raise ValueError("a name is empty")
        if any(len(name) > MAX_NAME for name in cleaned):
            raise ValueError(f"a name is longer than {MAX_NAME} characters")
        return cleaned


class RoomReleaseIn(BaseModel):
    """A room released in person from a lockdown (SRP lockdown release)."""

    model_config = ConfigDict(extra="forbid")

    room: str = PydanticField(..., max_length=60, description="the room or group released, e.g. 'C-12'")
    note: str = PydanticField("", max_length=500)

    @field_validator("room")
    @classmethod
    def room_given(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("required (the room released)")
        return value


class ThreatLocationIn(BaseModel):
    """Where the threat is: "shots heard near the gym"."""

    model_config = ConfigDict(extra="forbid")

    location: str = PydanticField(..., max_length=300, description="where the threat is, e.g. 'near the gym'")
    note: str = PydanticField("", max_length=1000, description="what was seen or heard")

    @field_validator("location")
    @classmethod
    def location_given(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("required (where the threat is)")
        return value


class MessageIn(BaseModel):
    """A message to the thread between dispatch and the school."""

    model_config = ConfigDict(extra="forbid")

    text: str = PydanticField(..., max_length=MAX_MESSAGE)

    @field_validator("text")
    @classmethod
    def text_given(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("required (the message)")
        return value


def check_room_status(report: RoomStatusIn) -> None:
    """The rules between fields: a 'missing' report names who is missing, an 'extra' one who is extra, an
    'injured' one says how many. Raises 422 naming the field."""
    problems = []
    if report.status == RoomState.MISSING and not report.missing:
        problems.append("missing: name at least one missing student when the status is 'missing'")
    if report.status == RoomState.EXTRA and not report.extra:
        problems.append("extra: name at least one extra student when the status is 'extra'")
    if report.status == RoomState.INJURED and not report.injured:
        problems.append("injured: give the number of injured people (1 or more) when the status is 'injured'")
    if problems:
        raise HttpError(422, "; ".join(problems))
