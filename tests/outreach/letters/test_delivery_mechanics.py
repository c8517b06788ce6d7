import re
import xml.etree.ElementTree as ET  # noqa: S405
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from campaign.seed import demo_campaign_seed
from outreach.delivery import cwc as cwc_api
from outreach.models import CwcOffice, Letter, LetterAction
from outreach.services.letter_delivery import _finish, letter_deliver, letters_sweep
from outreach.services.letter_moderation import letters_requeue_failed
from outreach.services.letter_routes import cwc_offices_sync
from outreach.tasks.letters import deliver_letter, retry_delay, sweep_stuck_letters
from tests.fakes.cwc import FakeCwc
from tests.outreach.letters.conftest import letter_payload

URL = "/api/v1/campaigns/face-recognition/letters/"
DOCS = Path(__file__).resolve().parents[3] / "docs" / "cwc.md"


def queued_letters(api_client, **overrides):
    """Letters written but not yet delivered (the on-commit enqueue is dropped)."""
    response = api_client.post(URL, letter_payload(**overrides), format="json")
    assert response.status_code == 202, response.json()
    return Letter.objects.filter(status="queued")


def _documented() -> list[tuple[str, bool]]:
    rows = re.findall(r"^\| `(CWC[^`]*)` \| (yes|no) \|", DOCS.read_text(), re.MULTILINE)
    return [(path, required == "yes") for path, required in rows]


def _paths(xml: bytes) -> list[str]:
    root = ET.fromstring(xml)  # noqa: S314
    out = []

    def walk(el, prefix):
        path = f"{prefix}/{el.tag}" if prefix else el.tag
        if path not in out:
            out.append(path)
        for child in el:
            walk(child, path)

    walk(root, "")
    return out


def _message(**overrides):
    base = {
        "delivery_id": "a" * 32,
        "delivery_date": date(2026, 11, 21),
        "campaign_id": "b" * 32,
        "office_code": "HCA11",
        "constituent": cwc_api.Constituent(
            prefix="Ms.",
            first_name="Ada",
            last_name="Lovelace",
            address1="2460 Mission St",
            city="San Francisco",
            state="CA",
            zip="94110",
            email="ada@example.org",
            phone="+14155550134",
            address_validated=True,
        ),  # fmt: skip
        "subject": "Subject",
        "topics": ["Immigration", "Crime and Law Enforcement"],
        "organization_statement": "Campaign text",
        "constituent_message": "My words",
        "bill": (119, "HR", 1234),
        "pro_or_con": "Pro",
        "more_info": "https://example.org",
        "agent": cwc_api.DeliveryAgent(
            name="Agent",
            ack_email="ack@example.org",
            contact_name="Desk",
            contact_email="desk@example.org",
            contact_phone="+1 (202) 555-0100",
            organization="Org",
            organization_about="About",
        ),  # fmt: skip
    }
    base.update(overrides)
    return cwc_api.CwcMessage(**base)


def test_the_xml_builder_follows_the_documented_element_list():
    documented = _documented()
    assert len(documented) > 40
    order = [path for path, _ in documented]
    full = _paths(cwc_api.build_message_xml(_message()))
    assert set(full) == set(order), set(full) ^ set(order)
    assert full == [p for p in order if p in full]  # same order as the docs
    minimal = _message(
        constituent_message="", bill=None, pro_or_con="", more_info="",
        agent=cwc_api.DeliveryAgent("Agent", "ack@example.org", "Desk", "desk@example.org", "2025550100"),
        constituent=cwc_api.Constituent("Mr.", "A", "B", "1 Main St", "Town", "VT", "05401", "a@example.org"),
    )  # fmt: skip
    minimal_paths = _paths(cwc_api.build_message_xml(minimal))
    assert {p for p, required in documented if required} <= set(minimal_paths)
    root = ET.fromstring(cwc_api.build_message_xml(_message()))  # noqa: S314
    assert root.findtext("CWCVersion") == "2.0"
    assert root.findtext("Delivery/DeliveryDate") == "20261121"
    assert root.findtext("Delivery/DeliveryAgentContact/DeliveryAgentContactPhone") == "202-555-0100"
    assert root.findtext("Constituent/Phone") == "415-555-0134"
    assert [t.text for t in root.iter("LibraryOfCongressTopic")] == ["Immigration", "Crime and Law Enforcement"]


def test_the_builder_refuses_what_cwc_would_refuse():
    with pytest.raises(ValueError, match="32"):
        cwc_api.build_message_xml(_message(delivery_id="x" * 33))
    with pytest.raises(ValueError, match="topic"):
        cwc_api.build_message_xml(_message(topics=[]))


def test_error_replies_are_parsed_into_their_texts():
    body = b"<Errors><Error>Zip invalid</Error><Error>Prefix invalid</Error></Errors>"
    assert cwc_api.parse_errors(body) == ["Zip invalid", "Prefix invalid"]
    assert cwc_api.parse_errors(b"plain text") == ["plain text"]


def test_both_office_list_shapes_are_accepted():
    codes = cwc_api.parse_offices(["HAK00", "HAL01", "bogus"])
    assert [o.code for o in codes] == ["HAK00", "HAL01"]
    objects = cwc_api.parse_offices([{"name": "Alex Padilla [bioguide_id: P000145]", "office_code": "SCA03"}])
    assert objects[0].code == "SCA03" and objects[0].bioguide_id == "P000145"


@pytest.mark.django_db
def test_sync_cwc_offices_stores_codes_from_each_api_and_marks_dropped_ones(settings, capsys):
    with (
        FakeCwc(api_key="h", offices=[("HCA11", ""), ("HVT00", "")]) as house,
        FakeCwc(
            api_key="s", offices=[("SCA03", "Alex Padilla [bioguide_id: P000145]")], offices_shape="objects"
        ) as senate,
    ):
        settings.HOUSE_CWC_URL, settings.HOUSE_CWC_API_KEY = house.url, "h"
        settings.SENATE_CWC_URL, settings.SENATE_CWC_API_KEY = senate.url, "s"
        call_command("sync_cwc_offices")
        assert set(CwcOffice.objects.values_list("code", "chamber", "bioguide_id")) == {
            ("HCA11", "house", ""), ("HVT00", "house", ""), ("SCA03", "senate", "P000145"),
        }  # fmt: skip
        house.state.offices = [("HCA11", "")]
        call_command("sync_cwc_offices")
        assert not CwcOffice.objects.get(code="HVT00").active
        settings.HOUSE_CWC_API_KEY = "wrong"
        with pytest.raises(CommandError, match="401"):
            call_command("sync_cwc_offices")
    assert "house: 2 offices listed" in capsys.readouterr().out


@pytest.mark.django_db
def test_sync_command_says_when_nothing_is_configured():
    with pytest.raises(CommandError, match="HOUSE_CWC_URL"):
        call_command("sync_cwc_offices")


@pytest.mark.django_db
def test_a_senate_office_is_used_only_when_a_listing_names_the_member(api_client, action, house_cwc, senate_cwc):
    senate_cwc.state.offices = [(code, "") for code, _ in senate_cwc.state.offices]  # codes only
    cwc_offices_sync(chamber="senate")
    cwc_offices_sync(chamber="house")
    letters = queued_letters(api_client)
    assert set(letters.filter(chamber="senate").values_list("channel", flat=True)) == {"outbox"}
    assert letters.get(chamber="house").office_code == "HCA11"


@pytest.mark.django_db
def test_delivering_a_letter_that_was_already_sent_sends_nothing(api_client, action, cwc):
    house, _ = cwc
    letter = queued_letters(api_client).get(chamber="house")
    assert deliver_letter.delay(str(letter.pk)).get() == "sent"
    deliver_letter.delay(str(letter.pk))
    assert len(house.received) == 1
    assert list(letter.events.values_list("status", flat=True)) == ["queued", "sending", "sent"]


@pytest.mark.django_db
def test_a_fresh_claim_is_left_alone_and_a_stale_one_is_taken_over(api_client, action, cwc, settings):
    house, _ = cwc
    letter = queued_letters(api_client).get(chamber="house")
    Letter.objects.filter(pk=letter.pk).update(status="sending", claim_token="other", claimed_at=timezone.now())
    outcome = letter_deliver(letter_id=letter.pk, retry_delay=retry_delay)
    assert outcome.status == "" and outcome.retry_in and outcome.retry_in > 100
    assert not house.received
    Letter.objects.filter(pk=letter.pk).update(claimed_at=timezone.now() - timedelta(seconds=121))
    outcome = letter_deliver(letter_id=letter.pk, retry_delay=retry_delay)
    assert outcome.status == "sent" and len(house.received) == 1
    assert house.received[0].delivery_id == letter.delivery_id
    # The stalled attempt's late finish does not overwrite the outcome.
    assert not _finish(letter.pk, "other", "failed", "late")
    letter.refresh_from_db()
    assert letter.status == "sent" and "reclaimed" in letter.events.filter(status="sending").last().detail


@pytest.mark.django_db
def test_the_sweeper_re_enqueues_letters_whose_task_was_lost(
    api_client, action, cwc, django_capture_on_commit_callbacks
):
    house, senate = cwc
    letters = list(queued_letters(api_client))
    assert sweep_stuck_letters.delay().get() == 0  # just queued: their tasks are on their way
    old = timezone.now() - timedelta(hours=1)
    Letter.objects.filter(pk=letters[0].pk).update(queued_at=old)
    Letter.objects.filter(pk=letters[1].pk).update(status="sending", claimed_at=old, claim_token="dead")
    assert sweep_stuck_letters.delay().get() == 2
    statuses = dict(Letter.objects.values_list("pk", "status"))
    assert statuses[letters[0].pk] == statuses[letters[1].pk] == "sent"
    assert statuses[letters[2].pk] == "queued"


@pytest.mark.django_db
def test_rate_limits_delay_a_letter_without_claiming_it(api_client, action, cwc, settings):
    house, senate = cwc
    settings.LETTERS_RATE_PER_OFFICE = "1/minute"
    letters = list(queued_letters(api_client).filter(chamber="senate"))
    assert letter_deliver(letter_id=letters[0].pk, retry_delay=retry_delay).status == "sent"
    Letter.objects.filter(pk=letters[1].pk).update(office_code=letters[0].office_code)
    outcome = letter_deliver(letter_id=letters[1].pk, retry_delay=retry_delay)
    assert outcome.status == "" and 0 < outcome.retry_in <= 61
    assert Letter.objects.get(pk=letters[1].pk).status == "queued"
    settings.LETTERS_RATE_PER_OFFICE = ""
    settings.LETTERS_RATE_GLOBAL = "1/hour"
    house_letter = Letter.objects.get(chamber="house")
    assert letter_deliver(letter_id=house_letter.pk, retry_delay=retry_delay).status == "sent"
    outcome = letter_deliver(letter_id=letters[1].pk, retry_delay=retry_delay)
    assert outcome.status == "" and outcome.retry_in > 0  # the rest of the hour's window
    assert Letter.objects.get(pk=letters[1].pk).status == "queued"
    assert not senate.received_for(letters[1].delivery_id)


def test_backoff_grows_exponentially_with_jitter_and_a_ceiling(settings):
    settings.LETTERS_RETRY_BASE_SECONDS = 10
    settings.LETTERS_RETRY_MAX_SECONDS = 100
    first = [retry_delay(1) for _ in range(50)]
    assert all(5 <= d <= 10 for d in first) and len(set(first)) > 1
    assert all(20 <= retry_delay(3) <= 40 for _ in range(20))
    assert all(50 <= retry_delay(12) <= 100 for _ in range(20))


@pytest.mark.django_db
def test_letter_page_shows_form_previews_each_letter_then_the_result(client, action, cwc):
    house, _ = cwc
    page = client.get("/l/write-congress/")
    assert page.status_code == 200 and b'name="address_line"' in page.content
    form = letter_payload(consent="on")
    preview = client.post("/l/write-congress/", {**form, "step": "preview"})
    assert preview.status_code == 200
    text = preview.content.decode()
    assert text.count('class="letter"') == 3
    assert "Dear Representative Pelosi" in text and "Dear Senator Padilla" in text and "worries me" in text
    assert Letter.objects.count() == 0
    result = client.post("/l/write-congress/", {**form, "step": "send"})
    assert result.status_code == 200 and Letter.objects.count() == 3
    assert "Your letters" in result.content.decode()
    bad = client.post("/l/write-congress/", {**form, "prefix": "Lord", "step": "send"})
    assert bad.status_code == 400
    unresolvable = client.post(
        "/l/write-congress/",
        {
            **form,
            "address_line": "999 Nowhere Rd",
            "locality": "Chicago",
            "region": "IL",
            "postal_code": "60616",
            "step": "preview",
        },  # fmt: skip
    )
    assert unresolvable.status_code == 400 and "congressional district" in unresolvable.content.decode()


@pytest.mark.django_db
def test_seed_demo_adds_a_letter_action_to_the_demo_campaign():
    campaign = demo_campaign_seed()
    demo_campaign_seed()
    action = LetterAction.objects.get(campaign=campaign)
    assert campaign.slug == "face-recognition-moratorium"
    assert action.topics and action.target_rule == "both" and len(action.cwc_campaign_id) == 32


@pytest.mark.django_db
def test_timeouts_and_refused_connections_are_transient_and_retried_with_the_same_delivery_id(
    api_client, action, cwc, settings
):
    house, _ = cwc
    letter = queued_letters(api_client).get(chamber="house")
    settings.CWC_TIMEOUT = 0.3
    release = house.hold_requests()  # the API takes longer than our timeout
    outcome = letter_deliver(letter_id=letter.pk, retry_delay=lambda attempts: 1.0)
    assert outcome.status == "queued" and outcome.retry_in == 1.0
    letter.refresh_from_db()
    assert "ReadTimeout" in letter.error and letter.next_attempt_at is not None
    house.stop_holding()
    release.set()
    real_url = settings.HOUSE_CWC_URL
    settings.HOUSE_CWC_URL = "http://127.0.0.1:9"  # nothing listens there
    outcome = letter_deliver(letter_id=letter.pk, retry_delay=lambda attempts: 1.0)
    assert outcome.status == "queued"
    assert "ConnectionError" in Letter.objects.get(pk=letter.pk).error
    settings.HOUSE_CWC_URL = real_url
    assert letter_deliver(letter_id=letter.pk, retry_delay=lambda attempts: 1.0).status == "sent"
    # The timed-out request did reach the office; the retry carried the same DeliveryId, so it counts once.
    assert house.deliveries[letter.delivery_id] == 1
    assert {r.delivery_id for r in house.received} == {letter.delivery_id}
    assert Letter.objects.get(pk=letter.pk).attempts == 3


@pytest.mark.django_db
def test_letter_actions_take_only_library_of_congress_topics_and_whole_bills(action):
    from django.core.exceptions import ValidationError

    action.full_clean()
    action.topics = ["Face Stuff"]
    action.bill_number = None
    with pytest.raises(ValidationError) as err:
        action.full_clean()
    assert set(err.value.message_dict) == {"topics", "bill_number"}


@pytest.mark.django_db
def test_an_organizer_can_retry_a_failed_letter_with_the_same_delivery_id(
    api_client, action, cwc, django_capture_on_commit_callbacks
):
    house, _ = cwc
    house.program(400)
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(URL, letter_payload(), format="json")
    letter = Letter.objects.get(chamber="house")
    assert letter.status == "failed"
    with django_capture_on_commit_callbacks(execute=True):
        assert letters_requeue_failed(letter_ids=[letter.pk]) == 1
    letter.refresh_from_db()
    assert letter.status == "sent" and house.deliveries == {letter.delivery_id: 1}
    assert letters_requeue_failed(letter_ids=[letter.pk]) == 0  # only failed letters


def test_the_beat_schedule_sweeps_stuck_letters_and_refreshes_office_codes():
    from campaign.schedule import beat_schedule

    schedule = beat_schedule(congress_source="")
    tasks = {entry["task"] for entry in schedule.values()}
    assert {"outreach.tasks.letters.sweep_stuck_letters", "outreach.tasks.letters.sync_cwc_offices"} <= tasks
    assert sweep_stuck_letters.name in tasks


@pytest.mark.django_db
def test_an_unreachable_mail_server_is_a_transient_error(api_client, action, settings):
    action.email_offices = {"P000197": "letters@pelosi.example.gov"}
    action.save()
    letter = queued_letters(api_client).get(bioguide_id="P000197")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    outcome = letter_deliver(letter_id=letter.pk, retry_delay=lambda attempts: 5.0)
    assert outcome.status == "queued" and outcome.retry_in == 5.0
    letter.refresh_from_db()
    assert letter.status == "queued" and "ConnectionRefusedError" in letter.error


@pytest.mark.django_db
def test_a_mail_server_refusing_the_office_address_is_a_permanent_failure(
    api_client, action, settings, django_capture_on_commit_callbacks
):
    from tests.fakes.smtp import FakeSMTP

    with FakeSMTP(refuse_recipients=("gone@pelosi.example.gov",)) as smtp:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
        action.email_offices = {"P000197": "gone@pelosi.example.gov", "P000145": "mail@padilla.example.gov"}
        action.save()
        with django_capture_on_commit_callbacks(execute=True):
            api_client.post(URL, letter_payload(), format="json")
    refused = Letter.objects.get(bioguide_id="P000197")
    assert refused.status == "failed" and "550" in refused.error
    accepted = Letter.objects.get(bioguide_id="P000145")
    assert accepted.status == "sent" and [m["To"] for m in smtp.messages] == ["mail@padilla.example.gov"]
    assert "Dear Senator Padilla" in smtp.messages[0].get_payload()


@pytest.mark.django_db
def test_an_unexpected_error_fails_the_letter_instead_of_leaving_it_sending(api_client, action, cwc):
    house, _ = cwc
    letter = queued_letters(api_client).get(chamber="house")
    # A CWC letter without its writer's details cannot be built: a bug, not the office's answer.
    Letter.objects.filter(pk=letter.pk).update(submission=None)
    outcome = letter_deliver(letter_id=letter.pk, retry_delay=retry_delay)
    letter.refresh_from_db()
    assert outcome.status == letter.status == "failed"
    assert letter.error == "unexpected error: AttributeError" and not letter.claim_token
    assert not house.received


@pytest.mark.django_db
def test_a_letter_the_builder_refuses_fails_at_once_without_retries(api_client, action, cwc):
    house, _ = cwc
    letter = queued_letters(api_client).get(chamber="house")
    LetterAction.objects.filter(pk=action.pk).update(topics=[])
    outcome = letter_deliver(letter_id=letter.pk, retry_delay=retry_delay)
    letter.refresh_from_db()
    assert outcome.status == letter.status == "failed" and outcome.retry_in is None
    assert "topic" in letter.error and letter.attempts == 1
    assert not house.received


@pytest.mark.django_db
def test_a_swept_letter_is_not_swept_again_while_its_task_waits_in_the_broker(api_client, action, cwc, monkeypatch):
    letters = list(queued_letters(api_client))
    old = timezone.now() - timedelta(hours=1)
    Letter.objects.filter(pk=letters[0].pk).update(queued_at=old)
    Letter.objects.filter(pk=letters[1].pk).update(status="sending", claimed_at=old, claim_token="dead")
    enqueued = []  # the broker: these tasks have not run yet
    monkeypatch.setattr(deliver_letter, "apply_async", lambda args, **options: enqueued.append(*args))
    assert letters_sweep() == 2
    assert letters_sweep() == 0
    assert sorted(enqueued) == sorted([str(letters[0].pk), str(letters[1].pk)])
    # Past the grace period a letter still not delivered is swept again.
    Letter.objects.filter(pk__in=[letters[0].pk, letters[1].pk]).update(next_attempt_at=old)
    assert letters_sweep() == 2


@pytest.mark.django_db
def test_an_empty_office_listing_is_refused_and_keeps_the_offices(cwc):
    house, _ = cwc
    house.state.offices = []
    with pytest.raises(cwc_api.CwcPermanentError, match="names no office"):
        cwc_offices_sync(chamber="house")
    assert CwcOffice.objects.filter(chamber="house", active=True).count() == 4


@pytest.mark.django_db
def test_the_letter_page_applies_the_apis_rate_limits(client, action, cwc, settings):
    settings.THROTTLES_ENABLED = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "letter_ip": "100/minute", "letter_email": "1/hour"}
    form = letter_payload(consent="on")
    assert client.post("/l/write-congress/", {**form, "step": "send"}).status_code == 200
    again = client.post("/l/write-congress/", {**form, "step": "send"})
    assert again.status_code == 429 and int(again["Retry-After"]) > 0
    assert "Too many attempts" in again.content.decode()
    assert Letter.objects.count() == 3


@pytest.mark.django_db
def test_the_letter_form_refuses_a_message_over_the_limit_itself(action, settings):
    from outreach.views.letters import LetterForm

    settings.LETTERS_MESSAGE_MAX_LENGTH = 20
    form = LetterForm(letter_payload(consent="on", message="x" * 21), action=action)
    assert not form.is_valid() and "message" in form.errors
    assert 'maxlength="20"' in str(form["message"])
    assert LetterForm(letter_payload(consent="on", message="x" * 20), action=action).is_valid()
