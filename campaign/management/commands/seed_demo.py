from django.core.management.base import BaseCommand

from campaign.seed import demo_campaign_seed


class Command(BaseCommand):
    help = "Create (or refresh) the demo campaign. Idempotent."

    def handle(self, *args, **options):
        campaign = demo_campaign_seed()
        self.stdout.write(self.style.SUCCESS(f"demo campaign ready: {campaign.slug}"))
