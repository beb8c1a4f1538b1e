from schoolsafe import registry
from schoolsafe.registry import PageAssets, UrlMount


class ReachConfig(registry.CapabilityConfig):
    name = "schoolsafe.reach"
    verbose_name = "Reaching people with no page open (Web Push, fallback)"
    # The installable app's service worker, manifest and icons, at the root (reach/views.py).
    urls = (UrlMount("", "schoolsafe.reach.urls", order=800),)
    api_routers = ("schoolsafe.reach.api:router",)
    api_order = 70
    worker_loops = ("schoolsafe.reach.tasks:start_push_runner",)
    page_assets = (
        # The installable app's manifest, on every page.
        PageAssets(head_includes=("reach/_manifest_link.html",)),
        # The service worker and "Receive alerts on this device", for a signed-in person only: the lock screen
        # listens for alerts without a session, and push subscriptions belong to an account.
        PageAssets(js=("reach/install.js",), footer_includes=("reach/_push_enable.html",), when="listens_for_alerts",
                   signed_in=True),
    )

    def ready(self) -> None:
        from schoolsafe.events.consumers import register_consumer
        from schoolsafe.reach.actions import PUSHED_KINDS, push_consumer

        # Web Push for the alert events, queued in the alert action's transaction and sent after its commit.
        register_consumer(PUSHED_KINDS, push_consumer)
        # Each person's paths (stream receipt, push, SMS fallback) in the alert's delivery report.
        from schoolsafe.alerts.reads import register_path_reporter
        from schoolsafe.reach.fallback import reach_paths

        register_path_reporter(reach_paths)
