from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "dathub.api"
    label = "api"
    verbose_name = "API"
