"""A worker killed (SIGKILL) while the CWC API holds its request still ends in exactly one delivery.

Real processes: a Celery worker on Redis, PostgreSQL, and the fake CWC on loopback. The task is acks_late,
so the broker hands the unacknowledged message to the next worker once the (lowered) visibility timeout
passes; the letter's claim and its fixed DeliveryId keep the second run from delivering twice.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import environ
import psycopg
import pytest
import redis
from django.conf import settings

from tests.fakes.cwc import FakeCwc

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
ROOT = Path(__file__).resolve().parents[3]


def _worker_db_url() -> tuple[str, dict]:
    base = os.environ.get("DATABASE_URL", "")
    config = environ.Env.db_url_config(base)
    name = f"{config['NAME']}_killtest"
    url = base.rsplit("/", 1)[0] + "/" + name
    return url, {**config, "NAME": name}


def _admin_connection(config):
    return psycopg.connect(
        host=config["HOST"] or "127.0.0.1", port=config["PORT"] or 5432, user=config["USER"],
        password=config["PASSWORD"] or None, dbname="postgres", autocommit=True,
    )  # fmt: skip


def _start_worker(env, name, log):
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "campaign", "worker", "-Q", "letters", "-c", "1", "-P", "prefork",
         "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def _stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _letter_row(config, letter_id):
    with psycopg.connect(
        host=config["HOST"] or "127.0.0.1", port=config["PORT"] or 5432, user=config["USER"],
        password=config["PASSWORD"] or None, dbname=config["NAME"],
    ) as conn:  # fmt: skip
        row = conn.execute("SELECT status, attempts FROM outreach_letter WHERE id = %s", (letter_id,)).fetchone()
        events = conn.execute(
            "SELECT e.status, e.detail FROM outreach_letterevent e WHERE e.letter_id = %s ORDER BY e.id", (letter_id,)
        ).fetchall()
    return row, events


def test_a_worker_killed_mid_delivery_still_ends_in_exactly_one_delivery(tmp_path):
    url, config = _worker_db_url()
    with _admin_connection(config) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{config["NAME"]}"')
    # No stale letter messages from an earlier run: the queue and the unacknowledged set start empty.
    redis.Redis.from_url(settings.REDIS_URL).delete("letters", "unacked", "unacked_index", "unacked_mutex")
    workers = []
    with FakeCwc(api_key="house-key", offices=[("HCA11", "")]) as fake:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "campaign.settings",
            "DEBUG": "true",
            "DATABASE_URL": url,
            "REDIS_URL": settings.REDIS_URL,
            "VAR_DIR": str(tmp_path),
            "CELERY_VISIBILITY_TIMEOUT": "3",
            "CELERY_UNACKED_RESTORE_INTERVAL": "1",
            "HOUSE_CWC_URL": fake.url,
            "HOUSE_CWC_API_KEY": "house-key",
            "CWC_DELIVERY_AGENT": "Tests",
            "CWC_ACK_EMAIL": "ack@example.org",
            "CWC_CONTACT_NAME": "Desk",
            "CWC_CONTACT_EMAIL": "desk@example.org",
            "CWC_CONTACT_PHONE": "202-555-0100",
            "CWC_CONNECT_TIMEOUT": "1",
            "CWC_TIMEOUT": "3",
            "LETTERS_SENDING_STALE_SECONDS": "5",
            "LETTERS_RATE_GLOBAL": "",
            "LETTERS_RATE_PER_OFFICE": "",
            "CONGRESS_SNAPSHOT_TTL": "5",
        }
        subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
        release = fake.hold_requests()
        try:
            log1 = open(tmp_path / "worker1.log", "w")  # noqa: SIM115
            workers.append(_start_worker(env, "w1", log1))
            made = subprocess.run(
                [sys.executable, "-m", "tests.outreach.letters.worker_harness"],
                cwd=ROOT, env=env, check=True, capture_output=True, text=True,
            )  # fmt: skip
            delivery_id = made.stdout.strip().splitlines()[-1]
            assert fake.state.holding.wait(60), (tmp_path / "worker1.log").read_text()[-3000:]
            # The request is inside the fake: kill the whole worker (main process and pool child) now.
            os.killpg(workers[0].pid, signal.SIGKILL)
            workers[0].wait(timeout=10)
            (row, _) = _letter_row(config, delivery_id)
            assert row[0] == "sending"  # the killed attempt never finished
            # The office did receive the message; only the reply was lost.
            fake.stop_holding()
            release.set()
            log2 = open(tmp_path / "worker2.log", "w")  # noqa: SIM115
            workers.append(_start_worker(env, "w2", log2))
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                row, events = _letter_row(config, delivery_id)
                if row[0] not in ("queued", "sending"):
                    break
                time.sleep(0.5)
            log = (tmp_path / "worker2.log").read_text()[-3000:]
            assert row == ("sent", 2), log
            statuses = [status for status, _ in events]
            # The killed attempt left no outcome; the second one says it took over.
            assert statuses == ["queued", "sending", "sent"], events
            assert "reclaimed" in events[1][1]
            # Two requests reached the office with the same DeliveryId; it delivered the message once.
            assert fake.deliveries == {delivery_id: 1}
            assert [r.delivery_id for r in fake.received] == [delivery_id, delivery_id]
            assert [r.duplicate for r in fake.received] == [False, True]
            # The redelivered message was acknowledged: nothing comes back after another visibility timeout.
            time.sleep(5)
            assert _letter_row(config, delivery_id)[0] == ("sent", 2)
            assert len(fake.received) == 2
        finally:
            for proc in workers:
                _stop(proc)
    with _admin_connection(config) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
