"""The Celery beat schedule, in one place. Apps add their periodic jobs here."""

from celery.schedules import crontab

from congress.sources import is_url


def beat_schedule(*, congress_source: str, rollup_refresh_seconds: int = 30) -> dict:
    schedule: dict = {}
    # Refreshing from a URL makes sense only when a deployment points CONGRESS_DATA at one; a local
    # directory changes only when someone replaces the files, and they can run sync_congress then.
    if is_url(congress_source):
        schedule["congress-sync-daily"] = {
            "task": "congress.tasks.sync_congress_data",
            "schedule": crontab(hour=7, minute=17),
        }
    # Calls that never reached the provider are marked failed, never re-placed (see call_sessions_sweep).
    schedule["calls-sweep-stuck"] = {"task": "outreach.tasks.calls.call_sessions_sweep", "schedule": 300.0}
    schedule["calls-forget-phones"] = {
        "task": "outreach.tasks.calls.call_phones_forget",
        "schedule": crontab(minute=41),
    }
    # Retention (docs/privacy.md): collect little, keep it briefly. Daily is enough for limits counted in
    # days; the runs are spread over the night so none competes with another.
    schedule["calls-forget-ip-hashes"] = {
        "task": "outreach.tasks.calls.call_ip_hashes_forget",
        "schedule": crontab(hour=4, minute=7),
    }
    schedule["contacts-forget-consent-ip-hashes"] = {
        "task": "contacts.tasks.forget_consent_ip_hashes",
        "schedule": crontab(hour=4, minute=13),
    }
    # Unconfirmed signatures past RETENTION_PENDING_SIGNATURE_DAYS, and signatures' IP hashes.
    schedule["petitions-purge-signature-data"] = {
        "task": "petitions.tasks.purge_signature_data",
        "schedule": crontab(hour=4, minute=19),
    }
    # Petition counts live in shards updated with each signature; this repairs any drift from the rows
    # (a signature deleted in the admin, a crash between statements outside a transaction).
    schedule["petitions-reconcile-counts"] = {
        "task": "petitions.tasks.reconcile_signature_counts",
        "schedule": 60.0,
    }
    # Signers' intake rows: each request publishes a drain (at most two per PETITION_INTAKE_BATCH_SECONDS
    # per process); this run catches any a lost publish left.
    schedule["petitions-drain-intake"] = {"task": "petitions.tasks.drain_signature_intake", "schedule": 10.0}
    # New signatures wait in their rows for their first email; each commit publishes a batch run (at
    # most two per PETITION_MAIL_BATCH_SECONDS per process). This run catches any a lost publish left.
    schedule["petitions-queue-emails"] = {"task": "petitions.tasks.queue_signature_emails", "schedule": 30.0}
    # Letters: re-enqueue deliveries whose task was lost, and refresh the CWC office codes.
    schedule["letters-sweep-stuck"] = {"task": "outreach.tasks.letters.sweep_stuck_letters", "schedule": 60.0}
    schedule["letters-cwc-offices-daily"] = {
        "task": "outreach.tasks.letters.sync_cwc_offices",
        "schedule": crontab(hour=6, minute=41),
    }
    # Metric rollups: today's buckets every ROLLUP_REFRESH_SECONDS (the dashboard's stated lag), and the
    # last ROLLUP_RECHECK_DAYS nightly, for statuses that change after their day (late confirmations,
    # letters sent after retries).
    schedule["metrics-rollups-refresh"] = {
        "task": "reporting.tasks.metrics_rollups_refresh",
        "schedule": float(rollup_refresh_seconds),
    }
    schedule["metrics-rollups-recheck"] = {
        "task": "reporting.tasks.metrics_rollups_recheck",
        "schedule": crontab(hour=3, minute=23),
    }
    return schedule
