from schoolsafe import registry
from schoolsafe.registry import NavEntry, PageAssets, UrlMount


class AlertsConfig(registry.CapabilityConfig):
    name = "schoolsafe.alerts"
    verbose_name = "Emergency alerts"
    urls = (UrlMount("alerts/", "schoolsafe.alerts.urls", order=50),)
    # The panic router first: its /alerts/panic must not be taken for an alert id by the others.
    api_routers = ("schoolsafe.alerts.panic_api:router", "schoolsafe.alerts.api:router",
                   "schoolsafe.alerts.incident_api:router")
    api_order = 50
    demo_loader = "schoolsafe.alerts.demo:load_demo"
    demo_order = 60
    worker_loops = ("schoolsafe.alerts.tasks:start_timer_scanner",)
    page_context = ("schoolsafe.alerts.context:page_context",)
    # Every page that listens: an alert raised while it is open shows at once (the banner and its listener, which
    # an incident's own live pages replace), with the school's state and the device's silent switch.
    page_assets = (
        PageAssets(css=("alerts/incoming.css",), live_includes=("alerts/_incoming.html",),
                   main_includes=("alerts/_school_state.html",), footer_includes=("alerts/_silent_toggle.html",),
                   live_js=("alerts/live.js", "alerts/listen.js"), when="listens_for_alerts"),
        # The schools under lockdown, where the page stays silent (alerts/context.py).
        PageAssets(body_data=(("lockdown-schools", "lockdown_schools"),), when="listens_for_alerts", signed_in=True),
    )
    nav = (
        NavEntry("Raise alert", "alerts:panic", order=20, permission=("core.school", "panic_page")),
        NavEntry("Dispatch console", "alerts:console", order=30, permission=("core.agency", "dispatch_console")),
        NavEntry("Alerts", "alerts:history", order=40, permission=("alerts.alert", "view")),
        NavEntry("Panic buttons", "alerts:panic-credentials", order=130,
                 permission=("core.school", "panic_credentials"), needs_membership=True),
    )

    def ready(self) -> None:
        # Registers the alert rows in the access policy table.
        from schoolsafe.alerts import policies  # noqa: F401
        from schoolsafe.alerts.serialize import LOCKED_SCREEN_KINDS, alert_headline
        from schoolsafe.events.locked import register_locked_kinds

        # Delivery never depends on an active session: a locked screen still gets these, as headlines.
        register_locked_kinds(LOCKED_SCREEN_KINDS, alert_headline)
