from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The project package, installed for its management commands (runstack, seed_demo, seed_load) and
    its templates (home page, login). Its label is "site": "campaign" belongs to the campaign domain."""

    name = "campaign"
    label = "site"
    verbose_name = "Site"
