from django.apps import AppConfig


class Config(AppConfig):
    name = "tebiki.web.accounts"
    label = "accounts"

    def ready(self):
        from .mfa import seal_totp_keys

        seal_totp_keys()
