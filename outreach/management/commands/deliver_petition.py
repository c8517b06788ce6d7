from django.core.management.base import BaseCommand, CommandError

from outreach.services import petition_delivery


class Command(BaseCommand):
    help = (
        "Deliver a petition's confirmed signatures to each signer's own offices: one letter per office with "
        "the signers of its district (House) or state (Senate). A re-run sends only new signatures."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")

    def handle(self, *args, slug, **options):
        try:
            result = petition_delivery.petition_deliver(slug=slug)
        except petition_delivery.PetitionNotFound as exc:
            raise CommandError(f"no petition {slug!r}") from exc
        self.stdout.write(
            f"run {result.run}: {result.letters} letter(s) to {result.letters} office(s), "
            f"{result.signatures} new signature(s); {result.skipped} without a state went to no office"
        )
