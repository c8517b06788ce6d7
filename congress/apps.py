from django.apps import AppConfig


class CongressConfig(AppConfig):
    name = "congress"
    verbose_name = "Congress"
