"""The JSON API's root: one NinjaAPI, each capability's router mounted under /api/v1/."""

from __future__ import annotations

import copy
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from schoolsafe import __version__
from schoolsafe.access.loaders import NOT_FOUND, NotAllowed, NotVisible
from schoolsafe.api.auth import api_auth
from schoolsafe.core.errors import ActionError

DEFS_PREFIX = "#/$defs/"
COMPONENTS_PREFIX = "#/components/schemas/"


def _rewrite_refs(node: Any, renames: dict[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(DEFS_PREFIX) and ref[len(DEFS_PREFIX):] in renames:
            node["$ref"] = COMPONENTS_PREFIX + renames[ref[len(DEFS_PREFIX):]]
        for value in node.values():
            _rewrite_refs(value, renames)
    elif isinstance(node, list):
        for value in node:
            _rewrite_refs(value, renames)


def _hoist_defs(node: Any, schemas: dict[str, Any]) -> None:
    """Move every nested `$defs` (a schema written by pydantic's `model_json_schema()`, as some endpoints
    document a body they read by hand) into components/schemas, where an OpenAPI `$ref` can reach it: a
    `#/$defs/...` reference resolves against the document's root, which has no `$defs`. A name already
    taken by a different schema gets a numbered one."""
    if isinstance(node, list):
        for value in node:
            _hoist_defs(value, schemas)
        return
    if not isinstance(node, dict):
        return
    defs = node.pop("$defs", None)
    if isinstance(defs, dict):
        renames: dict[str, str] = {}
        for name, schema in defs.items():
            candidate = copy.deepcopy(schema)
            _rewrite_refs(candidate, {key: key for key in defs})
            target, n = name, 2
            while target in schemas and schemas[target] != candidate:
                target, n = f"{name}{n}", n + 1
            renames[name] = target
        _rewrite_refs(node, renames)
        _rewrite_refs(defs, renames)
        for name, schema in defs.items():
            _hoist_defs(schema, schemas)
            schemas[renames[name]] = schema
    for value in node.values():
        _hoist_defs(value, schemas)


def _merge_response_codes(paths: dict[str, Any]) -> None:
    """One key per status code: an operation that documents its responses in `openapi_extra` ("200") and
    also gets django-ninja's default (200) would otherwise carry both, a duplicated key in JSON and YAML.
    The explicit description wins."""
    for operations in paths.values():
        for operation in operations.values():
            responses = operation.get("responses") if isinstance(operation, dict) else None
            if not responses:
                continue
            merged: dict[str, Any] = {}
            for code, response in sorted(responses.items(), key=lambda item: isinstance(item[0], str)):
                merged[str(code)] = response
            operation["responses"] = merged


class SchoolSafeAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI document every `$ref` of resolves and has one key per status code (the
    document is read by generated clients: openapi-python-client, openapi-core)."""

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> OpenAPISchema:
        # A copy: parts of the document are the operations' own `openapi_extra` dicts, which must stay as
        # they are for the next time the document is built.
        document = copy.deepcopy(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        _hoist_defs(document["paths"], schemas)
        _merge_response_codes(document["paths"])
        return document


api = SchoolSafeAPI(
    title="SchoolSafe API",
    version=__version__,
    description=(
        "School safety, run together by a police department and its school districts. "
        "Authenticate with `Authorization: Bearer TOKEN` (see `schoolsafe token create`) or a "
        "signed-in browser session. Errors are JSON `{\"detail\": ...}` with a 4xx status."
    ),
    auth=api_auth,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _location(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "data")]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = [f"{_location(list(e.get('loc', [])))}: {e.get('msg', 'invalid')}" for e in exc.errors]
    return api.create_response(
        request, {"detail": "; ".join(problems) or "invalid input", "errors": exc.errors}, status=422
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "authentication required"}, status=401)


@api.exception_handler(ActionError)
def action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    """What an action refused (core/errors.py), with its status: endpoints need not map each app's errors."""
    return api.create_response(request, {"detail": exc.detail}, status=exc.status)


@api.exception_handler(NotVisible)
def not_visible(request: HttpRequest, exc: NotVisible) -> HttpResponse:
    return api.create_response(request, {"detail": NOT_FOUND}, status=404)


@api.exception_handler(NotAllowed)
def not_allowed(request: HttpRequest, exc: NotAllowed) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


def mount_routers() -> None:
    """Every registered app's routers (schoolsafe.registry), in the apps' declared order."""
    from schoolsafe.registry import api_routers

    for router in api_routers():
        api.add_router("", router)


mount_routers()
