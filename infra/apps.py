from django.apps import AppConfig


class InfraConfig(AppConfig):
    """The ground floor: shared infrastructure that imports no app. An app only for its templates."""

    name = "infra"
    verbose_name = "Shared infrastructure"
