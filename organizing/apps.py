from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_roles(sender, **kwargs):
    from organizing.roles import roles_ensure

    roles_ensure()


class OrganizingConfig(AppConfig):
    """The campaign domain: campaigns, membership, roles.

    Its label stays "campaign", the label these models were created under: their tables, migration
    history, content types and permission names ("campaign.view_campaign") are unchanged by the move."""

    name = "organizing"
    label = "campaign"
    verbose_name = "Campaigns"

    def ready(self):
        # The role groups exist after every migrate (and after a test database is emptied and re-set up).
        post_migrate.connect(_ensure_roles, sender=self)
