from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dathub.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from .registry import register_urls

        register_urls("dathub.core.urls")
