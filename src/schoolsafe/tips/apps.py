from __future__ import annotations

from schoolsafe import registry
from schoolsafe.registry import NavEntry, UrlMount


class TipsConfig(registry.CapabilityConfig):
    name = "schoolsafe.tips"
    verbose_name = "Anonymous tips"
    urls = (UrlMount("tips/", "schoolsafe.tips.urls", order=80),)
    api_routers = ("schoolsafe.tips.api:router",)
    api_order = 90
    commands = "schoolsafe.tips.commands"
    demo_loader = "schoolsafe.tips.demo:load_demo"
    demo_order = 50
    nav = (NavEntry("Tip line", "tips:queue", order=90, permission=("tips.tip", "view")),)

    def ready(self) -> None:
        from schoolsafe.tips import logfilter, policies  # noqa: F401 - registers Tip in the access policy

        logfilter.install()

        from django.db.models.signals import post_delete, post_save

        from schoolsafe.core.models import School

        post_save.connect(_forget_school, sender=School, dispatch_uid="tips.forget_school_saved")
        post_delete.connect(_forget_school, sender=School, dispatch_uid="tips.forget_school_deleted")


def _forget_school(sender: type, instance: object, **kwargs: object) -> None:
    """A school changed or went: the tip form's cached answer about it must go too."""
    from django.core.cache import cache

    from schoolsafe.tips.forms import school_cache_key

    cache.delete(school_cache_key(instance.pk))  # type: ignore[attr-defined]
