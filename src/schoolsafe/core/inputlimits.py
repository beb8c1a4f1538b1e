"""Limits on what a request may send, checked once for every endpoint before any view runs.

- JSON bodies nest at most MAX_JSON_DEPTH levels (the deepest real input, a GeoJSON MultiPolygon inside a
  FeatureCollection, needs 8): deeper input made Python's parser or the code after it recurse until it
  failed with a 500.
- Integers, in JSON bodies and in query strings, lie within ±(2**53 - 1), the range every JSON
  implementation represents exactly (RFC 7493, I-JSON, section 2.2). No id, count or page number here comes
  near it, and it keeps page × page size and every id inside the databases' 64-bit integers, which larger
  numbers overflowed (a 500 on PostgreSQL and SQLite alike).
- `NaN` and `Infinity`, which Python's parser accepts but JSON does not (RFC 8259 section 6), are refused.

Each refusal is a 400 with `{"detail": "<field>: ..."}`, as everywhere in the API.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

MAX_JSON_DEPTH = 32
MAX_SAFE_INTEGER = 2**53 - 1
_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class JSONLimitError(json.JSONDecodeError):
    """JSON that parses but breaks a limit; a JSONDecodeError so that every existing handler of malformed
    JSON answers it as such."""

    def __init__(self, message: str) -> None:
        ValueError.__init__(self, message)
        self.msg, self.doc, self.pos, self.lineno, self.colno = message, "", 0, 1, 1

    def __str__(self) -> str:
        return self.msg


def _refuse_constant(name: str) -> Any:
    raise JSONLimitError(f"body: {name} is not a JSON number (RFC 8259)")


def _where(path: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in path) or "body"


def check_json(value: Any, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Raise JSONLimitError naming the first place where `value` nests too deep or holds an unsafe integer."""
    # Iterative, so that checking depth cannot itself recurse too deep; only containers are pushed.
    stack: list[tuple[Any, int, tuple[Any, ...]]] = [(value, 1, ())]
    while stack:
        node, depth, path = stack.pop()
        if isinstance(node, dict | list):
            if depth > max_depth:
                where = ".".join(str(part) for part in path[:3])
                raise JSONLimitError(f"body: JSON nested more than {max_depth} levels deep (at {where}…)")
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, child in items:
                if isinstance(child, dict | list):
                    stack.append((child, depth + 1, (*path, key)))
                elif type(child) is int and not -MAX_SAFE_INTEGER <= child <= MAX_SAFE_INTEGER:
                    raise JSONLimitError(f"{_where((*path, key))}: {_too_big()}")
        elif type(node) is int and not -MAX_SAFE_INTEGER <= node <= MAX_SAFE_INTEGER:
            raise JSONLimitError(f"{_where(path)}: {_too_big()}")


def _too_big() -> str:
    return f"a number out of range (at most ±{MAX_SAFE_INTEGER}, RFC 7493)"


def loads(raw: str | bytes) -> Any:
    """json.loads within the limits above; raises json.JSONDecodeError (JSONLimitError) when they are broken."""
    try:
        value = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        raise JSONLimitError(f"body: JSON nested more than {MAX_JSON_DEPTH} levels deep") from None
    check_json(value)
    return value


def _looks_like_json(request: HttpRequest) -> bool:
    content_type = (request.content_type or "").lower()
    if content_type.startswith(_FORM_TYPES):
        return False
    try:
        body = request.body
    except RequestDataTooBig:
        return False  # the view answers 413 itself
    return body.lstrip()[:1] in (b"{", b"[")


def _bad(detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=400)


class InputLimitsMiddleware:
    """Refuses, before any view, a JSON body or a query-string integer that breaks the limits above."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name, values in request.GET.lists():
            for value in values:
                # A long string of digits is not converted at all (int() of thousands of digits is slow).
                if _INTEGER.match(value) and (len(value) > 40 or abs(int(value)) > MAX_SAFE_INTEGER):
                    return _bad(f"{name[:40]}: {_too_big()}")
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and _looks_like_json(request):
            try:
                loads(request.body)
            except JSONLimitError as exc:
                return _bad(str(exc))
            except (ValueError, UnicodeDecodeError):
                pass  # malformed JSON: each endpoint says so in its own words
        return self.get_response(request)
