from django.contrib.auth.models import Permission, User

from petitions.models import Signature
from tests.petitions.helpers import sign_url, signer


def _staff(*codenames, name="staff"):
    user = User.objects.create_user(name, password="pw", is_staff=True)
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def test_signature_admin_hides_the_signer_without_the_permission(client, api_client, petition):
    api_client.post(sign_url(petition.slug), signer(email="hidden.signer@example.org"), format="json")
    sig = Signature.objects.get()
    client.force_login(_staff("view_signature", "change_signature"))
    for url in ("/admin/petitions/signature/", f"/admin/petitions/signature/{sig.pk}/change/"):
        page = client.get(url)
        assert page.status_code == 200
        assert "hidden.signer@example.org" not in page.content.decode()
        assert "Lovelace" not in page.content.decode()


def test_signature_admin_shows_the_signer_with_the_permission(client, api_client, petition):
    api_client.post(sign_url(petition.slug), signer(email="shown.signer@example.org"), format="json")
    client.force_login(_staff("view_signature", "change_signature", "view_personal_data"))
    assert "shown.signer@example.org" in client.get("/admin/petitions/signature/").content.decode()


def test_petition_admin_lists_counts_and_exports_csv(client, api_client, petition):
    api_client.post(sign_url(petition.slug), signer(), format="json")
    client.force_login(_staff("view_petition", "change_petition"))
    assert client.get("/admin/petitions/petition/").status_code == 200
    response = client.post(
        "/admin/petitions/petition/", {"action": "export_csv", "_selected_action": [petition.pk], "index": 0}
    )
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[1].startswith(f"{petition.slug},")
    assert body.splitlines()[1].endswith(",1,0")


def test_api_schema_describes_the_petition_endpoints(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/petitions/{slug}/signatures/" in response.content
