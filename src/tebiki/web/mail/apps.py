from django.apps import AppConfig


class Config(AppConfig):
    name = "tebiki.web.mail"
    label = "mail"
