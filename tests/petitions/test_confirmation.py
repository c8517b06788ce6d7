import re

import pytest
from django.core import mail, signing

from petitions.mail import confirmation_token
from petitions.models import Signature
from petitions.selectors import signature_counts
from tests.fakes.smtp import FakeSMTP
from tests.petitions.helpers import sign_url, signer

LINK_RE = re.compile(r"https://campaign\.example\.org(/p/confirm/[^/\s]+/)")


@pytest.fixture
def optin_petition(make_petition):
    return make_petition(slug="confirm-me", confirmation_required=True)


def _sign(api_client, petition, capture, **kw):
    with capture(execute=True):
        return api_client.post(sign_url(petition.slug), signer(**kw), format="json")


def test_pending_and_confirmed_are_counted_apart(api_client, optin_petition, django_capture_on_commit_callbacks):
    response = _sign(api_client, optin_petition, django_capture_on_commit_callbacks)
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    assert response.json()["signature_count"] == 0  # only confirmed signatures are shown
    counts = signature_counts(petition_id=optin_petition.pk)
    assert (counts.pending, counts.confirmed) == (1, 0)


def test_confirmation_link_confirms_once_and_sends_thanks(
    client, api_client, optin_petition, django_capture_on_commit_callbacks
):
    _sign(api_client, optin_petition, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    path = LINK_RE.search(mail.outbox[0].body).group(1)

    page = client.get(path)
    assert page.status_code == 200
    assert Signature.objects.get().status == "pending"  # opening the link alone (mail scanners) confirms nothing

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(path)
        again = client.post(path)
    assert confirmed.status_code == again.status_code == 200
    sig = Signature.objects.get()
    assert sig.status == "confirmed" and sig.confirmed_at is not None
    counts = signature_counts(petition_id=optin_petition.pk)
    assert (counts.pending, counts.confirmed) == (0, 1)
    thanks = [m for m in mail.outbox if "Thank you" in m.subject]
    assert len(thanks) == 1


def test_tampered_link_is_refused(client, api_client, optin_petition, django_capture_on_commit_callbacks):
    _sign(api_client, optin_petition, django_capture_on_commit_callbacks)
    sig = Signature.objects.get()
    token = confirmation_token(signature=sig)
    forged = signing.dumps({"s": sig.pk}, salt="petitions.confirm", key="another-key")
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged):
        response = client.post(f"/p/confirm/{bad}/")
        assert response.status_code == 400
        assert b"not valid" in response.content
    assert Signature.objects.get().status == "pending"


def test_expired_link_is_refused(client, api_client, optin_petition, settings, django_capture_on_commit_callbacks):
    _sign(api_client, optin_petition, django_capture_on_commit_callbacks)
    token = confirmation_token(signature=Signature.objects.get())
    settings.PETITION_CONFIRM_MAX_AGE = -1
    response = client.post(f"/p/confirm/{token}/")
    assert response.status_code == 400
    assert b"expired" in response.content
    assert Signature.objects.get().status == "pending"


def test_signing_again_resends_confirmation_up_to_the_limit(
    api_client, optin_petition, settings, django_capture_on_commit_callbacks
):
    settings.PETITION_CONFIRM_MAX_SENDS = 3
    codes = [_sign(api_client, optin_petition, django_capture_on_commit_callbacks).status_code for _ in range(5)]
    assert codes == [201, 200, 200, 200, 200]
    assert len(mail.outbox) == 3
    assert Signature.objects.get().confirmation_sends == 3


def test_confirmation_email_goes_through_a_real_smtp_server(
    api_client, optin_petition, settings, django_capture_on_commit_callbacks
):
    with FakeSMTP() as smtp:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = smtp.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        _sign(api_client, optin_petition, django_capture_on_commit_callbacks)
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "ada@example.org"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert LINK_RE.search(message.get_payload(decode=True).decode())


def _smtp_settings(settings, smtp):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


def test_a_4xx_reply_from_the_mail_server_is_retried_and_the_claim_released(
    api_client, optin_petition, settings, django_capture_on_commit_callbacks
):
    from celery.exceptions import Retry

    from petitions.tasks import send_confirmation_email

    with FakeSMTP() as smtp:
        _smtp_settings(settings, smtp)
        smtp.handler.data_reply = "451 4.3.0 Try again later"
        _sign(api_client, optin_petition, django_capture_on_commit_callbacks)
        signature = Signature.objects.get()
        with pytest.raises(Retry, match="MailTemporaryError"):
            send_confirmation_email.delay(signature.pk)
        signature.refresh_from_db()
        assert signature.confirmations_sent == 0  # released: the retry may send
        smtp.handler.data_reply = ""
        send_confirmation_email.delay(signature.pk)
    assert len(smtp.messages) == 1


def test_a_5xx_reply_from_the_mail_server_is_not_retried(
    api_client, optin_petition, settings, django_capture_on_commit_callbacks
):
    from contacts.mail import MailPermanentError
    from petitions.tasks import send_confirmation_email

    with FakeSMTP() as smtp:
        _smtp_settings(settings, smtp)
        smtp.handler.data_reply = "554 5.7.1 Rejected"
        _sign(api_client, optin_petition, django_capture_on_commit_callbacks)
        with pytest.raises(MailPermanentError):
            send_confirmation_email.delay(Signature.objects.get().pk)


def test_a_duplicated_confirmation_task_sends_once(api_client, optin_petition, django_capture_on_commit_callbacks):
    from petitions.tasks import send_confirmation_email

    _sign(api_client, optin_petition, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    send_confirmation_email.delay(Signature.objects.get().pk)  # the broker delivered the task twice
    assert len(mail.outbox) == 1


def test_confirming_reads_the_signature_once(client, api_client, optin_petition, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _sign(api_client, optin_petition, django_capture_on_commit_callbacks)
    path = LINK_RE.search(mail.outbox[0].body).group(1)
    with CaptureQueriesContext(connection) as queries:
        assert client.post(path).status_code == 200
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and 'FROM "petitions_signature"' in q["sql"]]
    assert len(reads) == 1
    assert Signature.objects.get().status == "confirmed"
