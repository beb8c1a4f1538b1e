from __future__ import annotations

from django.apps import AppConfig


class TipsConfig(AppConfig):
    name = "schoolsafe.tips"
    verbose_name = "Anonymous tips"

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
