from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dathub.core"
    label = "core"
    verbose_name = "Core"
