from campaign.celery import app


def test_a_worker_without_arguments_consumes_every_queue():
    # `celery -A campaign worker` with no -Q consumes app.amqp.queues: all of the project's queues.
    assert set(app.amqp.queues) == {"default", "calls", "letters", "bulk", "signatures"}


def test_each_queue_has_its_own_routing_key_so_a_task_lands_in_one_queue():
    keys = [q.routing_key for q in app.amqp.queues.values()]
    assert len(keys) == len(set(keys))


def test_tasks_are_routed_by_module():
    route = app.amqp.router.route
    assert route({}, "congress.tasks.sync_congress_data")["queue"].name == "bulk"
    assert route({}, "outreach.tasks.calls.call_place")["queue"].name == "calls"
    assert route({}, "outreach.tasks.letters.deliver_letter")["queue"].name == "letters"
    assert route({}, "contacts.tasks.anything")["queue"].name == "default"
    # The intake's drain has a queue of its own: it must not wait behind a spike's emails in default.
    assert route({}, "petitions.tasks.drain_signature_intake")["queue"].name == "signatures"
    assert route({}, "petitions.tasks.send_thank_you_email")["queue"].name == "default"


def test_tasks_are_json_acked_late_and_requeued_when_a_worker_dies():
    conf = app.conf
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.task_acks_late is True and conf.task_reject_on_worker_lost is True
    assert conf.task_time_limit and conf.task_soft_time_limit < conf.task_time_limit


def test_daily_congress_refresh_is_scheduled_only_for_a_url_source():
    from campaign.schedule import beat_schedule

    assert "congress-sync-daily" in beat_schedule(congress_source="https://example.org/congress")
    assert "congress-sync-daily" in beat_schedule(congress_source="official")
    assert "congress-sync-daily" not in beat_schedule(congress_source="/srv/data/congress")
    assert "congress-sync-daily" not in beat_schedule(congress_source="")


def test_every_scheduled_task_exists():
    from campaign.schedule import beat_schedule

    app.loader.import_default_modules()
    for entry in beat_schedule(congress_source="https://example.org/congress").values():
        assert entry["task"] in app.tasks, entry["task"]


def test_the_embedded_broker_keeps_all_its_files_under_var(tmp_path):
    """The filesystem broker (no REDIS_URL) writes its exchange tables under VAR_DIR too, never into
    whatever directory a process started in (where they ended up in the source tree)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL")}
    env.update(DJANGO_SETTINGS_MODULE="campaign.settings", DEBUG="true", VAR_DIR=str(tmp_path / "var"))
    env["PYTHONPATH"] = str(root)
    probe = (
        "import django; django.setup()\n"
        "from campaign.celery import app\n"
        "with app.connection_for_write() as conn:\n"
        "    with conn.Producer() as producer:\n"
        "        queue = app.amqp.queues['default']\n"
        "        producer.publish({'probe': 1}, exchange='default', routing_key='default', declare=[queue])\n"
    )
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    subprocess.run([sys.executable, "-c", probe], cwd=cwd, env=env, check=True, timeout=120, capture_output=True)
    assert list(cwd.iterdir()) == []
    assert (tmp_path / "var" / "broker" / "control" / "default.exchange").exists()
