from django.apps import AppConfig


class TipsConfig(AppConfig):
    name = "schoolsafe.tips"
    verbose_name = "Anonymous tips"

    def ready(self) -> None:
        from schoolsafe.tips import logfilter, policies  # noqa: F401 - registers Tip in the access policy

        logfilter.install()
