"""The public portal's frame, shared by every app with public pages (the public app's, the tip line's).

Its layout is `templates/public/layout.html`; `render_portal` renders a page in it. The portal's language
comes from its URL (/public/en/…, /public/es/…), not from a cookie.

A language cookie would be one more thing a tipster's browser carries from us; a URL is shareable,
cacheable per language, and lets a search engine index both versions.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import SimpleTemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import translation

LANGUAGES = [code for code, _name in settings.LANGUAGES]
NAMES = dict(settings.LANGUAGES)


class LangConverter:
    regex = "|".join(LANGUAGES)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def other_language(lang: str) -> str:
    return next((code for code in LANGUAGES if code != lang), lang)


def switch_url(request: HttpRequest, lang: str) -> str:
    """This page in the other language (the portal's home when the page has no GET form)."""
    target = other_language(lang)
    match = request.resolver_match
    if match is not None and match.view_name:
        try:
            return reverse(match.view_name, kwargs={**match.kwargs, "lang": target})
        except NoReverseMatch:
            pass
    return reverse("public:home", kwargs={"lang": target})


def public_page(max_age: int | None = None) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Serve the view in the URL's language; `max_age` seconds of public caching, or none (no-store)
    for pages that show anything a tipster typed or was given."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, lang: str, *args: Any, **kwargs: Any) -> HttpResponse:
            with translation.override(lang):
                request.LANGUAGE_CODE = lang
                response = view(request, lang, *args, **kwargs)
                if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
                    response.render()
            response["Content-Language"] = lang
            if max_age is None or request.method != "GET" or response.status_code != 200:
                response["Cache-Control"] = "no-store"
            else:
                response["Cache-Control"] = f"public, max-age={max_age}"
            return response

        return wrapper

    return decorator


def portal_context(request: HttpRequest, lang: str) -> dict[str, Any]:
    other = other_language(lang)
    return {"lang": lang, "other_lang": other, "other_lang_name": NAMES[other], "switch_url": switch_url(request, lang)}


def render_portal(request: HttpRequest, lang: str, template: str, context: dict[str, Any] | None = None,
                  status: int = 200) -> HttpResponse:
    """A page of the public portal in `lang`, with the portal's own context (language switch, languages)."""
    return render(request, template, {**portal_context(request, lang), **(context or {})}, status=status)
