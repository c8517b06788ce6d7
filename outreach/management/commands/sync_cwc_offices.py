from django.core.management.base import BaseCommand, CommandError

from outreach.delivery import cwc as cwc_api
from outreach.services.letter_routes import cwc_offices_sync


class Command(BaseCommand):
    help = "Store the office codes each configured CWC API lists at /offices (House and Senate)."

    def handle(self, *args, **options):
        configured = [c for c in (cwc_api.HOUSE, cwc_api.SENATE) if cwc_api.is_configured(c)]
        if not configured:
            raise CommandError("Neither HOUSE_CWC_URL/HOUSE_CWC_API_KEY nor SENATE_CWC_URL/SENATE_CWC_API_KEY is set.")
        for chamber in configured:
            try:
                result = cwc_offices_sync(chamber=chamber)
            except cwc_api.CwcTransientError as exc:
                raise CommandError(f"{chamber}: the API is unavailable ({exc}); try again later") from exc
            except cwc_api.CwcPermanentError as exc:
                raise CommandError(f"{chamber}: {exc}") from exc
            self.stdout.write(
                f"{chamber}: {result.listed} offices listed, {result.added} new, {result.deactivated} no longer listed"
            )
