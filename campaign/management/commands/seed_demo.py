from django.conf import settings
from django.core.management.base import BaseCommand

from campaign.seed import demo_campaign_seed, demo_organizer_seed
from campaign.stack import demo_login_hand_over


class Command(BaseCommand):
    help = (
        "Create (or refresh) the demo campaign. Idempotent. With DEBUG on, also the demo organizer, whose new "
        "random password is printed (and left for runstack to print)."
    )

    def handle(self, *args, **options):
        campaign = demo_campaign_seed()
        self.stdout.write(self.style.SUCCESS(f"demo campaign ready: {campaign.slug}"))
        # A known login on a production site would be a way in: only local (DEBUG) runs get one.
        if not settings.DEBUG:
            return
        username, password = demo_organizer_seed(campaign=campaign)
        demo_login_hand_over(username, password)
        self.stdout.write(self.style.SUCCESS(f"demo organizer: username {username}  password {password}"))
