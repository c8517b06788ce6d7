"""A new signature's first email waits in its row and is queued by a batch run after commit."""

import pytest
from django.core import mail

from petitions.models import Signature
from petitions.publish import _Kicks
from petitions.tasks import queue_signature_emails
from tests.petitions.helpers import sign_url, signer


def test_signatures_wait_in_their_rows_until_a_batch_queues_their_emails_once(api_client, make_petition):
    plain = make_petition(slug="plain")
    optin = make_petition(slug="optin", confirmation_required=True)
    # Without running the commit callbacks: nothing published, nothing sent, the rows are the outbox.
    api_client.post(sign_url(plain.slug), signer(email="a@example.org"), format="json")
    api_client.post(sign_url(plain.slug), signer(email="b@example.org"), format="json")
    api_client.post(sign_url(optin.slug), signer(email="c@example.org"), format="json")
    assert mail.outbox == []
    assert Signature.objects.filter(mail_queued_at__isnull=True).count() == 3

    queue_signature_emails()
    sent = sorted((m.to[0], m.subject.split(":")[0]) for m in mail.outbox)
    assert sent == [
        ("a@example.org", "Thank you for signing"),
        ("b@example.org", "Thank you for signing"),
        ("c@example.org", "Please confirm your signature"),
    ]
    assert not Signature.objects.filter(mail_queued_at__isnull=True).exists()

    queue_signature_emails()  # a second run (or the periodic one) finds nothing left to queue
    assert len(mail.outbox) == 3


def test_a_commit_publishes_a_batch_run_at_most_twice_per_interval():
    kicks = _Kicks()
    assert kicks.plan(100.0, 1.0) == 0.0  # quiet before: at once
    assert kicks.plan(100.2, 1.0) == pytest.approx(0.8)  # one run at the end of the interval covers what follows
    assert kicks.plan(100.5, 1.0) is None
    assert kicks.plan(100.99, 1.0) is None
    assert kicks.plan(101.0, 1.0) == 0.0  # the interval is over: at once again
    assert kicks.plan(101.5, 1.0) == pytest.approx(0.5)
    assert kicks.plan(103.0, 1.0) == 0.0


def test_the_intake_drain_is_published_once_per_interval_for_its_end_never_at_once():
    kicks = _Kicks()
    assert kicks.plan(100.0, 1.0, at_once=False) == 1.0  # even after a quiet spell: at the interval's end
    assert kicks.plan(100.4, 1.0, at_once=False) is None  # covered by that run
    assert kicks.plan(100.99, 1.0, at_once=False) is None
    assert kicks.plan(101.0, 1.0, at_once=False) == 1.0
    untimed = _Kicks()
    assert [untimed.plan(5.0, 0.0, at_once=False) for _ in range(2)] == [0.0, 0.0]  # no interval: every time


def test_spread_intervals_end_in_their_second_half_so_processes_that_start_together_drift_apart(monkeypatch):
    from petitions import publish

    draws = iter([0.0, 0.999, 0.6])
    monkeypatch.setattr(publish.random, "random", lambda: next(draws))
    first, second = _Kicks(), _Kicks()
    # Two processes whose first signers came at the same moment plan their runs for different ends.
    assert first.plan(100.0, 1.0, at_once=False, spread=True) == pytest.approx(1.0)
    assert second.plan(100.0, 1.0, at_once=False, spread=True) == pytest.approx(0.5005)
    assert second.plan(100.5, 1.0, at_once=False, spread=True) is None  # covered until its own end
    assert second.plan(100.51, 1.0, at_once=False, spread=True) == pytest.approx(0.7)
    assert first.plan(100.99, 1.0, at_once=False, spread=True) is None
    assert _Kicks().plan(5.0, 0.0, at_once=False, spread=True) == 0.0  # no interval: still every time


def test_with_no_interval_every_commit_publishes_at_once():
    kicks = _Kicks()
    assert [kicks.plan(t, 0.0) for t in (1.0, 1.0, 1.001)] == [0.0, 0.0, 0.0]


def test_beat_schedule_runs_the_email_batch(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "petitions.tasks.queue_signature_emails" in tasks
