"""Letters per second from enqueue to the (fake) CWC API, through real Celery workers on Redis and PostgreSQL.

    DATABASE_URL=postgres://... REDIS_URL=redis://... make bench-letters

Creates BENCH_LETTERS queued letters (spread over many offices) in the DATABASE_URL database, enqueues one
delivery task per letter, and times until the fake CWC has accepted every one. Runs the baseline (1 worker
process) and the measured setup (2 worker processes) in the same run, checks there are no duplicate
deliveries, and prints both figures, the ratio, and the figure against the goal of 200 letters/s.
Everything it creates is deleted afterwards. The worker's broker prefetch is BENCH_PREFETCH (default 16):
letter tasks are short, so a letters-only worker can reserve several at once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bench.common import ROOT, cpu_seconds, start_worker, stop_workers, wait_workers_ready

GOAL = 200.0


def _require() -> None:
    db = os.environ.get("DATABASE_URL", "")
    if not db.startswith(("postgres://", "postgresql://")):
        sys.exit("bench-letters needs DATABASE_URL=postgres://... (workers and the bench share one database)")
    if not os.environ.get("REDIS_URL"):
        sys.exit("bench-letters needs REDIS_URL=redis://... (the Celery broker and the rate limits)")
    import redis

    try:
        redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        sys.exit(f"Redis at REDIS_URL is unreachable: {exc}")


def _setup_django(fake_url: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaign.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ.update(_cwc_env(fake_url))
    import django

    django.setup()


def _cwc_env(fake_url: str) -> dict:
    return {
        "HOUSE_CWC_URL": fake_url,
        "HOUSE_CWC_API_KEY": "bench-key",
        "SENATE_CWC_URL": fake_url,
        "SENATE_CWC_API_KEY": "bench-key",
        "CWC_DELIVERY_AGENT": "Bench",
        "CWC_ACK_EMAIL": "ack@example.org",
        "CWC_CONTACT_NAME": "Desk",
        "CWC_CONTACT_EMAIL": "desk@example.org",
        "CWC_CONTACT_PHONE": "202-555-0100",
        # The limiter runs on every task (shared Redis counters) but is set above what the bench sends.
        "LETTERS_RATE_GLOBAL": "100000/second",
        "LETTERS_RATE_PER_OFFICE": "100000/minute",
    }


def _create_letters(n: int, tag: str) -> list[str]:
    from django.db import transaction
    from django.utils import timezone

    from contacts.models import Contact
    from organizing.models import Campaign
    from outreach.models import CwcOffice, Letter, LetterAction, LetterSubmission

    now = timezone.now()
    states = ["CA", "TX", "NY", "FL", "IL", "PA", "OH", "GA", "NC", "MI"]
    codes = [f"H{s}{d:02d}" for s in states for d in range(1, 21)]
    with transaction.atomic():
        CwcOffice.objects.bulk_create(
            [CwcOffice(code=c, chamber="house", synced_at=now) for c in codes], ignore_conflicts=True
        )
        campaign = Campaign.objects.create(slug=f"bench-{tag}", name="Bench", status="active")
        action = LetterAction.objects.create(
            campaign=campaign,
            slug=f"bench-{tag}",
            title="Bench",
            subject_template="Support a moratorium",
            body_template="Dear Representative,\n\nPlease support a moratorium on face recognition.\n",
            topics=["Civil Rights and Liberties, Minority Issues"],
        )
        per_contact = 10
        contacts = Contact.objects.bulk_create(
            [
                Contact(email=f"bench-{tag}-{i}@example.org", given_name="Bench", family_name=f"W{i}")
                for i in range((n + per_contact - 1) // per_contact)
            ]  # fmt: skip
        )
        submissions = LetterSubmission.objects.bulk_create(
            [
                LetterSubmission(
                    action=action,
                    contact=c,
                    prefix="Mx.",
                    given_name="Bench",
                    family_name=c.family_name,
                    email=c.email,
                    address_line="1 Main St",
                    locality="Springfield",
                    region="IL",
                    postal_code="62701",
                    district_state="IL",
                    district=13,
                    district_congress=119,
                )
                for c in contacts
            ]  # fmt: skip
        )
        letters = [
            Letter(
                action=action,
                contact=submissions[i // per_contact].contact,
                submission=submissions[i // per_contact],
                bioguide_id=f"B{i % 1000:06d}",
                recipient_name="Bench Member",
                recipient_title="Representative",
                chamber="house",
                channel="cwc_house",
                office_code=codes[i % len(codes)],
                subject="Support a moratorium",
                body="Dear Representative, please support a moratorium.",
                constituent_message="My own words.",
                status="queued",
                queued_at=now,
            )  # fmt: skip
            for i in range(n)
        ]
        Letter.objects.bulk_create(letters, batch_size=1000)
    return [str(letter.pk) for letter in letters]


def _cleanup(tag: str) -> None:
    from contacts.models import Contact
    from organizing.models import Campaign

    Campaign.objects.filter(slug=f"bench-{tag}").delete()
    Contact.objects.filter(email__startswith=f"bench-{tag}-").delete()


def _start_workers(count: int, fake_url: str, log_dir: Path) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        **_cwc_env(fake_url),
        "DJANGO_SETTINGS_MODULE": "campaign.settings",
        "CELERY_PREFETCH": os.environ.get("BENCH_PREFETCH", "16"),
        "LOG_LEVEL": "WARNING",
    }
    return [start_worker("letters", env, log_dir / f"bench-worker-{i}.log") for i in range(count)]


class RemoteFake:
    """The fake CWC in its own process, so its CPU does not share this process's interpreter lock."""

    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.cwc", "--api-key", "bench-key"],
            cwd=ROOT, stdout=subprocess.PIPE, text=True, start_new_session=True,
        )  # fmt: skip
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://"):
            sys.exit("the fake CWC did not start")
        import requests

        self._session = requests.Session()

    def received(self) -> list[tuple[str, bool]]:
        return [tuple(r) for r in self._session.get(f"{self.url}/_stats", timeout=10).json()["received"]]

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


def run(workers: int, n: int, fake: RemoteFake, log_dir: Path) -> float:
    from django.db import transaction

    from outreach import publish
    from outreach.models import Letter

    tag = uuid.uuid4().hex[:8]
    ids = _create_letters(n, tag)
    procs = _start_workers(workers, fake.url, log_dir)
    try:
        wait_workers_ready(procs)
        wanted = {uuid.UUID(i).hex for i in ids}
        cpu_before = [cpu_seconds(p.pid) for p in procs] + [cpu_seconds(fake.proc.pid)]
        started = time.perf_counter()
        with transaction.atomic():
            publish.deliver_letters(ids)
        deadline = time.monotonic() + max(120.0, n / 20)
        while time.monotonic() < deadline:
            # Polled with a pause so the poll itself costs the fake next to nothing.
            if Letter.objects.filter(pk__in=ids, status="sent").count() >= n:
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        cpu_after = [cpu_seconds(p.pid) for p in procs] + [cpu_seconds(fake.proc.pid)]
        used = [(a - b) * 1000 / n for a, b in zip(cpu_after, cpu_before, strict=True)]
        print(
            f"  cpu per letter: workers {sum(used[:-1]):.2f} ms, fake CWC {used[-1]:.2f} ms "
            f"(cores on this machine: {os.cpu_count()})"
        )
        # Let any stray duplicate arrive before counting.
        time.sleep(1.0)
        received = [d for d, _ in fake.received() if d in wanted]
        if len(set(received)) < n:
            sys.exit(f"only {len(set(received))} of {n} letters reached the fake CWC in time")
        duplicates = len(received) - len(set(received))
        sent = Letter.objects.filter(pk__in=ids, status="sent").count()
        if duplicates or len(set(received)) != n or sent != n:
            sys.exit(f"FAILED: {duplicates} duplicate deliveries, {len(set(received))} unique, {sent} marked sent")
        return n / elapsed
    finally:
        stop_workers(procs)
        _cleanup(tag)


def main() -> None:
    _require()
    n = int(os.environ.get("BENCH_LETTERS", "3000"))
    fake = RemoteFake()
    try:
        _setup_django(fake.url)
        from django.conf import settings
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        log_dir = Path(settings.VAR_DIR)
        print(f"letters: {n} per run, fake CWC at {fake.url}, prefetch {os.environ.get('BENCH_PREFETCH', '16')}")
        baseline = run(1, n, fake, log_dir)
        print(f"baseline  1 worker process : {baseline:8.1f} letters/s (no duplicates)")
        measured = run(2, n, fake, log_dir)
        print(f"measured  2 worker processes: {measured:8.1f} letters/s (no duplicates)")
        print(f"ratio 2 workers / 1 worker : {measured / baseline:.2f}x")
        verdict = "meets" if measured >= GOAL else "MISSES"
        print(f"goal {GOAL:.0f} letters/s: {verdict} ({measured / GOAL:.2f}x)")
    finally:
        fake.close()


if __name__ == "__main__":
    main()
