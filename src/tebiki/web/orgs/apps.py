from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class Config(AppConfig):
    name = "tebiki.web.orgs"
    label = "orgs"

    def ready(self) -> None:
        from .evidence import on_post_migrate, on_pre_migrate

        pre_migrate.connect(on_pre_migrate, sender=self, dispatch_uid="tebiki.evidence_triggers_off")
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="tebiki.evidence_triggers")
