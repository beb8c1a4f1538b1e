"""What the alerts API answers, for the OpenAPI document (the answers themselves are built by
alerts.serialize)."""


from ninja import Field, Schema


class PersonOut(Schema):
    id: int
    name: str


class SchoolRefOut(Schema):
    id: int
    name: str


class LocationOut(Schema):
    building: str
    room: str
    text: str
    latitude: float | None
    longitude: float | None


class PanicDeviceOut(Schema):
    device: str
    prefix: str


class AlertOut(Schema):
    id: int
    school: SchoolRefOut
    action: str = Field(..., description="SRP action: hold, secure, lockdown, evacuate, shelter")
    directive: str = Field(..., description="the school's SRP wording for the action")
    directive_es: str = Field(..., description="the same in the school's Spanish wording")
    hazard: str | None
    strategy: str | None
    evacuate_to: str | None
    tier: str
    reason: str
    location: LocationOut
    exercise: bool
    status: str
    raised_by: PersonOut | None
    raised_with: PanicDeviceOut | None = Field(None, description="the device's panic credential it was raised with")
    raised_at: str
    escalated_at: str | None
    all_clear_at: str | None
    all_clear_text: str | None = Field(..., description="what people are told with the all clear (lockdown: stay "
                                                         "locked until your room is released in person)")
    all_clear_text_es: str | None
    all_clear_on_behalf_of: str | None = Field(..., description="the incident commander dispatch recorded it for")
    all_clear_concurring_officer: str | None
    cancelled_at: str | None
    reach: str = Field(..., description="whom it reaches (its route): assist (administrators, SRO) or emergency")
    dispatch: str = Field(..., description="how dispatch gets it: none, informed, priority, top (its route)")
    cancel_requested_at: str | None = Field(..., description="a cancel awaiting dispatch's call-back")
    cancel_requested_by: PersonOut | None
    cancel_confirmation: str | None = Field(..., description="whom dispatch reached to confirm the cancel")
    flood_flagged_at: str | None = Field(..., description="reports beyond the flood rate were seen")


class AlertReportOut(Schema):
    id: int
    action: str
    by: PersonOut | None
    building: str
    room: str
    note: str
    at: str
    merged: bool = Field(..., description="joined an incident already open")
    flood: bool = Field(..., description="beyond the per-person or per-device rate")


class RaisedOut(AlertOut):
    merged: bool = Field(..., description="true: an additional report to the school's active incident `id`")
    report: AlertReportOut


class AcknowledgementOut(Schema):
    user: PersonOut
    at: str


class AlertDetailOut(AlertOut):
    acknowledgements: list[AcknowledgementOut]


class AlertPage(Schema):
    items: list[AlertOut]
    count: int


class AcknowledgeOut(Schema):
    alert: int
    user: PersonOut
    at: str
    created: bool = Field(..., description="false when the caller had already acknowledged")


class ReachPathOut(Schema):
    path: str = Field(..., description="stream, push or sms (the fallback)")
    at: str | None
    ok: bool
    detail: str


class RecipientOut(Schema):
    user: PersonOut
    roles: list[str]
    received_at: str | None = Field(..., description="when the alert reached them (their delivery receipt, else "
                                                      "their acknowledgement: acknowledging proves receipt)")
    received_by: str | None = Field(..., description="receipt or acknowledgement: what showed it reached them")
    acknowledged_at: str | None
    paths: list[ReachPathOut] = Field(default_factory=list, description="every path tried, in time order")
    reached_by: str | None = Field(None, description="the first path that worked: stream, push or sms")


class DeliveryCounts(Schema):
    intended: int
    received: int
    acknowledged: int
    not_received: int
    not_acknowledged: int


class DeliveryOut(Schema):
    alert: int
    event: int | None = Field(..., description="id of the alert.raised event whose receipts are reported")
    recipients: list[RecipientOut]
    counts: DeliveryCounts


class ErrorOut(Schema):
    detail: str


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut}


class SchoolStateOut(Schema):
    school: int
    action: str | None = Field(..., description="the most protective SRP action in force, or null")
    directive: str | None
    hazard: str | None
    strategy: str | None
    evacuate_to: str | None
    exercise: bool | None
    incident: int | None = Field(..., description="the incident that sets the state")
    since: str | None
    incidents: list[int] = Field(..., description="every active incident at the school you may see")


class DrillWindowOut(Schema):
    id: int
    school: int
    starts_at: str
    ends_at: str
    contact: str
    registered_by: PersonOut | None
