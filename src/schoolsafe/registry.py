"""The app registry: what each app adds to the whole, declared on its AppConfig, and the floor's view of it.

The floor (urls.py, the API root, the `schoolsafe` command, the demo, the navigation) iterates the installed
apps that declare these attributes and imports no capability itself, as Django's admin discovers each app's
`admin.py`. An app's declarations are dotted paths ("module:attribute"), imported only when the floor needs
them, so that declaring them costs nothing at start-up.

Adding an app therefore needs its own folder and one line in INSTALLED_APPS (docs/developing.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.apps import AppConfig, apps

# The console command's name, and the error its commands raise (an app's `commands` module, below).
PROG = "schoolsafe"


class CommandError(Exception):
    """A problem the operator can fix: `schoolsafe` prints it as one line and exits 1, never a traceback."""


@dataclass(frozen=True)
class NavEntry:
    """A link in the main navigation, shown to the users the access policy lets see it.

    Visibility comes from the policy, never from a copied role set: `permission` names a model and an action
    of the permission table (`("threats.case", "refer")`), the same row its page checks. None: every signed-in
    user sees it.
    """

    label: str
    url_name: str
    order: int
    permission: tuple[str, str] | None = None
    # Pages about the organizations a person belongs to: a platform administrator with no membership would
    # meet a bare 404 there, so they see these only through a role.
    needs_membership: bool = False


@dataclass(frozen=True)
class PageAssets:
    """What an app adds to every page of the site layout (templates/base.html), when the page qualifies.

    Paths are static files (`css`, `js`) and templates (`*_includes`), in the order given; apps follow
    INSTALLED_APPS order. `when` names a flag of the page's context (`listens_for_alerts`: a page whose user
    may hold the event stream); `signed_in` keeps the assets off a page whose user is not signed in (the lock
    screen listens without a session). `body_data` maps a `data-*` attribute of <body> to a context variable
    (called if callable), for the page scripts to read.

    The `live` parts are the shared live view (a banner and its listener): a page that is itself the live view
    of an incident empties them with `{% block page_live %}{% endblock %}` and `{% block page_live_js %}`.
    """

    css: tuple[str, ...] = ()
    js: tuple[str, ...] = ()
    live_js: tuple[str, ...] = ()
    live_includes: tuple[str, ...] = ()
    head_includes: tuple[str, ...] = ()
    main_includes: tuple[str, ...] = ()
    footer_includes: tuple[str, ...] = ()
    body_data: tuple[tuple[str, str], ...] = ()
    when: str | None = None
    signed_in: bool = False


@dataclass(frozen=True)
class UrlMount:
    """An app's URL module mounted at a prefix of the site ("" for the site's root)."""

    prefix: str
    module: str
    order: int = 100


class CapabilityConfig(AppConfig):
    """An AppConfig that declares what its app adds to the whole (all optional)."""

    # Main navigation entries.
    nav: tuple[NavEntry, ...] = ()
    # URL modules and where they are mounted; the order decides between overlapping prefixes ("").
    urls: tuple[UrlMount, ...] = ()
    # django-ninja routers mounted under /api/v1/, as "module:attribute", in this order.
    api_routers: tuple[str, ...] = ()
    # Position of this app's routers among all apps' (a path an earlier router matches wins).
    api_order: int = 100
    # A module with `add_commands(sub) -> {name: function}` adding subcommands to `schoolsafe`.
    commands: str | None = None
    # "module:function" with the one demo signature `load(county: DemoCounty) -> bool` (created anything?).
    demo_loader: str | None = None
    demo_order: int = 100
    # "module:function"s, each `start() -> handle` with `.stop()` and `.join(timeout)`, run by `schoolsafe worker`.
    worker_loops: tuple[str, ...] = ()
    # "module:function"s `(request) -> dict` adding to every page's template context.
    page_context: tuple[str, ...] = ()
    # Stylesheets, scripts and templates this app adds to the pages that qualify (PageAssets).
    page_assets: tuple[PageAssets, ...] = ()


def resolve(path: str) -> Any:
    """The object a "module:attribute" path names."""
    module_name, _, attribute = path.partition(":")
    module = import_module(module_name)
    return getattr(module, attribute) if attribute else module


def capabilities() -> Iterator[CapabilityConfig]:
    """The installed apps that declare contributions, in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        if isinstance(config, CapabilityConfig):
            yield config


def nav_entries() -> list[NavEntry]:
    return sorted((entry for config in capabilities() for entry in config.nav), key=lambda e: e.order)


def url_mounts() -> list[UrlMount]:
    return sorted((mount for config in capabilities() for mount in config.urls), key=lambda m: m.order)


def api_routers() -> list[Any]:
    configs = sorted(capabilities(), key=lambda c: c.api_order)
    return [resolve(path) for config in configs for path in config.api_routers]


def command_modules() -> list[str]:
    return [config.commands for config in capabilities() if config.commands]


def demo_loaders() -> list[Callable[[Any], bool]]:
    configs = sorted(capabilities(), key=lambda c: c.demo_order)
    return [resolve(config.demo_loader) for config in configs if config.demo_loader]


def worker_loops() -> list[Callable[[], Any]]:
    return [resolve(path) for config in capabilities() for path in config.worker_loops]


def page_context_functions() -> list[Callable[[Any], dict[str, Any]]]:
    return [resolve(path) for config in capabilities() for path in config.page_context]


def page_assets() -> list[PageAssets]:
    return [assets for config in capabilities() for assets in config.page_assets]
