from django.apps import AppConfig


class Config(AppConfig):
    name = "tebiki.web.audit"
    label = "audit"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects sign-in, failure and lockout events)
