from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_roles(sender, **kwargs):
    from campaign.roles import roles_ensure

    roles_ensure()


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = "Campaigns"

    def ready(self):
        # The role groups exist after every migrate (and after a test database is emptied and re-set up).
        post_migrate.connect(_ensure_roles, sender=self)
