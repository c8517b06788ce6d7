from django.core.management.base import BaseCommand, CommandError

from congress import sources
from congress.services import congress_data_sync
from congress.turnover import report_lines


class Command(BaseCommand):
    help = (
        "Load current legislators, district offices, social media, committees, memberships and the ZIP "
        "crosswalk. Idempotent and all-or-nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", help="directory or base URL holding the data files (default: see docs)")
        parser.add_argument(
            "--congress", type=int, help="the roster's Congress: who serves (default: derived from House terms)"
        )
        parser.add_argument(
            "--crosswalk-congress",
            type=int,
            help="the Congress whose district lines the ZIP crosswalk holds (default: see docs/operations.md)",
        )
        parser.add_argument("--allow-shrink", action="store_true", help="accept a load much smaller than the last")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when data is already loaded")

    def handle(
        self, *args, source=None, congress=None, crosswalk_congress=None, allow_shrink=False, if_empty=False, **options
    ):
        from congress.models import DataLoad

        if if_empty and DataLoad.objects.exists():
            self.stdout.write("congress data already loaded; skipping (drop --if-empty to reload)")
            return
        resolved = sources.resolve_source(source)
        self.stdout.write(f"loading Congress data from {resolved}")
        try:
            load = congress_data_sync(
                source=resolved,
                congress=congress,
                crosswalk_congress=crosswalk_congress,
                allow_shrink=allow_shrink,
                progress=self.stdout.write,
            )
        except sources.DataError as exc:
            raise CommandError(f"data load failed, previous data kept: {exc}") from exc
        counts = ", ".join(f"{k}={v}" for k, v in load.counts.items())
        self.stdout.write("change report:")
        for line in report_lines(load.report):
            self.stdout.write(f"  {line}")
        lines = "" if load.crosswalk_congress == load.congress else f", ZIP lines of the {load.crosswalk_congress}th"
        self.stdout.write(self.style.SUCCESS(f"loaded {load.congress}th Congress{lines}: {counts}"))
        if load.crosswalk_congress != load.congress:
            self.stdout.write(
                self.style.WARNING(
                    "the ZIP crosswalk is on another Congress's lines: ZIP-only lookups name no House member"
                    " outside single-seat states and CONGRESS_LINES_UNCHANGED; address lookups still do"
                )
            )
