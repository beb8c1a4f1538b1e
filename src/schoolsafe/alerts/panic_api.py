"""POST /api/v1/alerts/panic: the one endpoint a panic credential opens (alerts/credentials.py).

Its own router with `auth=None`: the caller is judged by the `Authorization: Panic <secret>` header alone,
never by a session cookie or a bearer token beside it, and every other endpoint refuses the credential
(none accepts the Panic scheme). No cookie is involved, so no CSRF check is needed.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from ninja import Router
from ninja.errors import HttpError

from schoolsafe.alerts.api_input import read_json_object
from schoolsafe.alerts.credentials import (
    PANIC_ACTIONS,
    SCHEME,
    credential_for,
    do_raise_with_panic_credential,
)

router = Router(tags=["alerts"])

_DOC = {
    "security": [],
    "parameters": [{
        "name": "Authorization", "in": "header", "required": True, "schema": {"type": "string"},
        "description": "`Panic <secret>`: the device's panic credential (issued by the school's administrator).",
    }],
    "requestBody": {"content": {"application/json": {"schema": {
        "type": "object", "required": ["action"],
        "properties": {"action": {"type": "string", "enum": list(PANIC_ACTIONS)},
                       "room": {"type": "string", "maxLength": 60,
                                "description": "where the holder is (default: the credential's room)"},
                       "exercise": {"type": "boolean", "default": False}}}}}},
}


@router.post("/alerts/panic", auth=None, openapi_extra=_DOC, summary="Raise an alert with a panic credential")
def raise_with_panic_credential(request: HttpRequest):
    """Raise Lockdown, Secure or Hold at the credential's school, in its holder's name, naming the device.
    201 with `{id, action, school, raised_at}` and nothing else: a panic credential reads nothing."""
    credential = credential_for(request.headers.get("Authorization", ""))
    if credential is None:
        return JsonResponse({"detail": "a valid, unrevoked panic credential is required"}, status=401,
                            headers={"WWW-Authenticate": f'{SCHEME} realm="schoolsafe"'})
    data = read_json_object(request)
    action, room, exercise = data.get("action"), data.get("room", ""), data.get("exercise", False)
    if not isinstance(action, str) or not isinstance(room, str) or not isinstance(exercise, bool):
        raise HttpError(422, "action: a string; room: a string; exercise: true or false")
    alert, body = do_raise_with_panic_credential(credential, action, room=room.strip(), exercise=exercise)
    return JsonResponse({"id": alert.pk, "action": alert.action, "school": body["school"]["name"],
                         "raised_at": body["raised_at"], "exercise": alert.exercise}, status=201)
