import sys
import time

from django.core.management.base import BaseCommand, CommandError

from campaign.loadgen import load_generate
from campaign.seed import DEMO_SLUG, demo_campaign_seed
from organizing.models import Campaign
from reporting.rollups import rollups_rebuild_all


class Command(BaseCommand):
    help = "Generate realistic signatures, calls and letters in bulk (for load tests and bench-metrics)."

    def add_arguments(self, parser):
        parser.add_argument("--signatures", type=int, default=10000)
        parser.add_argument("--calls", type=int, default=2000)
        parser.add_argument("--letters", type=int, default=2000)
        parser.add_argument("--days", type=int, default=90, help="spread the actions over this many days")
        parser.add_argument("--campaign", default=DEMO_SLUG, help="campaign slug (default: the demo campaign)")
        parser.add_argument("--seed", type=int, default=1, help="random seed, for repeatable data")
        parser.add_argument("--no-rollups", action="store_true", help="skip rebuilding the metric rollups")

    def handle(self, *args, signatures, calls, letters, days, campaign, seed, no_rollups, **options):
        if min(signatures, calls, letters) < 0 or days < 1:
            raise CommandError("counts must be >= 0 and --days >= 1")
        target = Campaign.objects.filter(slug=campaign).first()
        if target is None:
            if campaign != DEMO_SLUG:
                raise CommandError(f"no campaign {campaign!r}")
            target = demo_campaign_seed()
        began = time.monotonic()
        last = {"t": 0.0}

        def progress(what: str, done: int, total: int) -> None:
            now = time.monotonic()
            if done < total and now - last["t"] < 0.5:
                return
            last["t"] = now
            width = 30
            filled = int(width * done / total) if total else width
            rate = done / max(now - began, 1e-6)
            sys.stdout.write(
                f"\r{what:10s} [{'#' * filled}{'.' * (width - filled)}] {done:>9,}/{total:,} {rate:,.0f}/s"
            )
            if done >= total:
                sys.stdout.write("\n")
            sys.stdout.flush()

        result = load_generate(
            campaign=target,
            signatures=signatures,
            calls=calls,
            letters=letters,
            days=days,
            seed=seed,
            progress=progress,
        )
        self.stdout.write(f"generated in {time.monotonic() - began:.1f}s: {result}")
        if not no_rollups:
            began = time.monotonic()
            refresh = rollups_rebuild_all()
            self.stdout.write(f"rollups rebuilt: {refresh.rows} rows in {time.monotonic() - began:.1f}s")
