import pytest
from django.contrib.auth.models import Permission, User

from contacts.services import District, contact_upsert

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact():
    c, _ = contact_upsert(
        email="secret.person@example.org",
        given_name="Secret",
        postal_code="05401",
        district=District("VT", 0, 119, "zip"),
    )
    return c


def _staff(perms):
    user = User.objects.create_user("staff", password="pw", is_staff=True)
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def test_staff_without_permission_sees_no_personal_data(client, contact):
    client.force_login(_staff(["view_contact", "change_contact"]))
    listing = client.get("/admin/contacts/contact/")
    detail = client.get(f"/admin/contacts/contact/{contact.pk}/change/")
    assert listing.status_code == detail.status_code == 200
    for page in (listing, detail):
        assert "secret.person@example.org" not in page.content.decode()
        assert "Secret" not in page.content.decode()
    # No search box to probe with (searching by email would tell whether someone is in the list).
    assert 'id="changelist-search"' not in listing.content.decode()
    probe = client.get("/admin/contacts/contact/", {"q": "secret"})
    assert probe.status_code == 200 and 'id="changelist-search"' not in probe.content.decode()


def test_staff_with_permission_sees_and_exports_personal_data(client, contact):
    client.force_login(_staff(["view_contact", "change_contact", "view_personal_data"]))
    listing = client.get("/admin/contacts/contact/").content.decode()
    assert "secret.person@example.org" in listing
    assert 'id="changelist-search"' in listing  # the marker the test above looks for
    response = client.post(
        "/admin/contacts/contact/", {"action": "export_csv", "_selected_action": [contact.pk], "index": 0}
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert "secret.person@example.org" in body


def test_csv_action_without_permission_leaves_personal_columns_out(client, contact):
    client.force_login(_staff(["view_contact", "change_contact"]))
    response = client.post(
        "/admin/contacts/contact/", {"action": "export_csv", "_selected_action": [contact.pk], "index": 0}
    )
    body = b"".join(response.streaming_content).decode()
    assert "secret" not in body.lower() and "VT" in body


def test_privileged_staff_can_export_and_erase_from_the_admin(client, contact):
    client.force_login(_staff(["view_contact", "change_contact", "delete_contact", "view_personal_data"]))
    exported = client.post(
        "/admin/contacts/contact/", {"action": "export_personal_data", "_selected_action": [contact.pk], "index": 0}
    )
    assert exported["Content-Type"] == "application/json"
    assert b"secret.person@example.org" in exported.content
    client.post("/admin/contacts/contact/", {"action": "erase_people", "_selected_action": [contact.pk], "index": 0})
    contact.refresh_from_db()
    assert contact.erased_at is not None and contact.email.endswith("@erased.invalid")


def test_export_and_erase_actions_are_absent_without_the_permission(client, contact):
    client.force_login(_staff(["view_contact", "change_contact", "delete_contact"]))
    page = client.get("/admin/contacts/contact/").content.decode()
    assert "export_personal_data" not in page and "erase_people" not in page
    client.post("/admin/contacts/contact/", {"action": "erase_people", "_selected_action": [contact.pk], "index": 0})
    contact.refresh_from_db()
    assert contact.erased_at is None
