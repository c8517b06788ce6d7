import re

from django.core import mail

from petitions.models import Signature
from tests.petitions.helpers import signer


def _form_fields(html: str) -> dict:
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    fields.update(dict(re.findall(r'name="(csrfmiddlewaretoken)" value="([^"]*)"', html)))
    return fields


def test_no_js_form_flow_signs_and_lands_on_the_thank_you_page(settings, petition, django_capture_on_commit_callbacks):
    from django.test import Client

    settings.PETITION_MIN_FILL_SECONDS = 0
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/p/{petition.slug}/?source=newsletter")
    html = page.content.decode()
    assert page.status_code == 200
    assert petition.petition_text in html
    assert '<progress id="thermo" max="1000" value="0"' in html
    assert page["X-Frame-Options"] == "DENY"
    hidden = _form_fields(html)
    assert hidden["source"] == "newsletter" and hidden["form_token"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/p/{petition.slug}/", {**hidden, **signer(), "website": ""})
    assert response.status_code == 303
    sig = Signature.objects.get()
    assert sig.source_code == "newsletter"
    assert response["Location"] == f"/p/{petition.slug}/thanks/?ref={sig.ref_code}"
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert f"?ref={sig.ref_code}" in thanks.content.decode()
    assert "Lovelace" not in thanks.content.decode()
    assert len(mail.outbox) == 1


def test_form_without_csrf_token_is_refused(settings, petition):
    from django.test import Client

    settings.PETITION_MIN_FILL_SECONDS = 0
    client = Client(enforce_csrf_checks=True)
    hidden = _form_fields(client.get(f"/p/{petition.slug}/").content.decode())
    hidden.pop("csrfmiddlewaretoken")
    assert client.post(f"/p/{petition.slug}/", {**hidden, **signer()}).status_code == 403
    assert Signature.objects.count() == 0


def test_form_errors_are_shown_next_to_their_fields_and_values_kept(client, settings, petition):
    settings.PETITION_MIN_FILL_SECONDS = 0
    hidden = _form_fields(client.get(f"/p/{petition.slug}/").content.decode())
    response = client.post(f"/p/{petition.slug}/", {**hidden, **signer(email="nope", postal_code="00000")})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="f-email"' in html and 'aria-invalid="true" aria-describedby="e-email"' in html
    assert re.search(r'<p class="error" id="e-email">[^<]*valid email', html)
    assert re.search(r'<p class="error" id="e-postal_code">[^<]*does not exist', html)
    assert 'value="Lovelace"' in html
    assert Signature.objects.count() == 0


def test_a_form_filled_too_fast_looks_fine_but_is_not_counted(client, settings, petition):
    settings.PETITION_MIN_FILL_SECONDS = 60
    hidden = _form_fields(client.get(f"/p/{petition.slug}/").content.decode())
    response = client.post(f"/p/{petition.slug}/", {**hidden, **signer()})
    assert response.status_code == 303
    assert response["Location"] == f"/p/{petition.slug}/thanks/"
    assert Signature.objects.count() == 0


def test_honeypot_in_the_form_looks_fine_but_is_not_counted(client, settings, petition):
    settings.PETITION_MIN_FILL_SECONDS = 0
    hidden = _form_fields(client.get(f"/p/{petition.slug}/").content.decode())
    response = client.post(f"/p/{petition.slug}/", {**hidden, **signer(), "website": "buy-now.example"})
    assert response.status_code == 303
    assert Signature.objects.count() == 0


def test_form_post_without_form_token_is_not_counted(client, petition):
    response = client.post(f"/p/{petition.slug}/", signer())
    assert response.status_code == 303
    assert Signature.objects.count() == 0


def test_embed_is_frameable_and_signs_without_a_csrf_cookie(settings, petition):
    from django.test import Client

    settings.PETITION_MIN_FILL_SECONDS = 0
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/p/{petition.slug}/embed/")
    assert page.status_code == 200
    assert "X-Frame-Options" not in page
    hidden = _form_fields(page.content.decode())
    fresh = Client(enforce_csrf_checks=True)  # third-party frames often get no cookies at all
    response = fresh.post(f"/p/{petition.slug}/embed/", {**hidden, **signer()})
    assert response.status_code == 303
    assert response["Location"].startswith(f"/p/{petition.slug}/embed/thanks/")
    assert "X-Frame-Options" not in fresh.get(response["Location"])
    assert Signature.objects.count() == 1


def test_embed_snippet_is_shown_to_organizers_only(client, petition, organizer):
    assert "<iframe" not in client.get(f"/p/{petition.slug}/").content.decode()
    client.force_login(organizer)
    html = client.get(f"/p/{petition.slug}/").content.decode()
    assert f"/p/{petition.slug}/embed/" in html and "&lt;iframe" in html


def test_draft_page_is_404_and_closed_page_has_no_form(client, make_petition):
    assert client.get(f"/p/{make_petition(slug='d', status='draft').slug}/").status_code == 404
    closed = client.get(f"/p/{make_petition(slug='c', status='closed').slug}/")
    assert closed.status_code == 200
    assert 'id="sign-form"' not in closed.content.decode()
    assert client.post("/p/c/", signer()).status_code == 409


def test_form_throttle_answers_429(client, settings, petition):
    settings.PETITION_MIN_FILL_SECONDS = 0
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "sign_ip": "1/minute"}
    hidden = _form_fields(client.get(f"/p/{petition.slug}/").content.decode())
    assert client.post(f"/p/{petition.slug}/", {**hidden, **signer()}).status_code == 303
    second = client.post(f"/p/{petition.slug}/", {**hidden, **signer(email="b@example.org")})
    assert second.status_code == 429 and int(second["Retry-After"]) > 0


def test_repeat_through_the_form_lands_on_a_thank_you_page_without_the_earlier_referral_code(
    client, settings, petition
):
    settings.PETITION_MIN_FILL_SECONDS = 0
    hidden = _form_fields(client.get(f"/p/{petition.slug}/").content.decode())
    first = client.post(f"/p/{petition.slug}/", {**hidden, **signer()})
    again = client.post(f"/p/{petition.slug}/", {**hidden, **signer()})
    earlier = Signature.objects.get()
    assert first["Location"] == f"/p/{petition.slug}/thanks/?ref={earlier.ref_code}"
    assert again.status_code == 303
    assert again["Location"] == f"/p/{petition.slug}/thanks/"


def test_embed_snippet_escapes_the_title(client, make_petition, organizer):
    import html as htmllib

    petition = make_petition(slug="quoted", title='Say "no" <script>alert(1)</script>')
    client.force_login(organizer)
    page = client.get(f"/p/{petition.slug}/").content.decode()
    textarea = re.search(r'<textarea id="embed-snippet"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    snippet = htmllib.unescape(textarea)  # what the organizer copies
    assert 'title="Say &quot;no&quot; &lt;script&gt;alert(1)&lt;/script&gt;"' in snippet
    assert "<script>" not in snippet and '"no"' not in snippet
