import pytest
from django.contrib.auth.models import Permission, User
from django.core.cache import cache
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from organizing.models import Campaign
from petitions.models import Petition, Signature


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    # Throttle counters and cached counts live in the cache; each test starts without them.
    cache.clear()
    settings.PETITION_COUNT_CACHE_SECONDS = 0
    settings.PETITION_CACHE_SECONDS = 0
    yield
    cache.clear()


@pytest.fixture
def campaign(db):
    return Campaign.objects.create(slug="demo-campaign", name="Demo", status=Campaign.Status.ACTIVE)


def _petition(campaign, **kw):
    fields = {
        "slug": "stop-face-recognition",
        "title": "Stop face recognition",
        "petition_text": "We ask Congress for a moratorium.",
        "status": Petition.Status.OPEN,
        "goal": 1000,
    }
    fields.update(kw)
    return Petition.objects.create(campaign=campaign, **fields)


@pytest.fixture
def make_petition(campaign):
    return lambda **kw: _petition(campaign, **kw)


@pytest.fixture
def petition(campaign):
    return _petition(campaign)


@pytest.fixture
def organizer(db, campaign):
    """An organizer of the `campaign` fixture (and, through the organizer group, of campaigns they create)."""
    from django.contrib.auth.models import Group

    from organizing.models import CampaignMembership

    user = User.objects.create_user("organizer", "org@example.org", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name="organizer"))
    CampaignMembership.objects.create(campaign=campaign, user=user, role=CampaignMembership.Role.ORGANIZER)
    return user


@pytest.fixture
def organizer_client(organizer):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=organizer).key}")
    return client


@pytest.fixture
def privileged_client(db):
    from django.contrib.auth.models import Group

    user = User.objects.create_user("data-steward", "steward@example.org", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name="admin"))
    user.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def committed(django_db_setup, django_db_blocker, settings):
    """Real commits that other connections (threads) see, without a transactional test's flush at the end:
    a flush would also empty the Congress data loaded once for the whole session. Cleans up its own rows."""
    from contacts.models import Contact
    from organizing.models import Campaign

    settings.THROTTLES_ENABLED = False
    with django_db_blocker.unblock():
        campaign = Campaign.objects.create(slug="concurrency", name="Concurrency")
        yield campaign
        petitions = Petition.objects.filter(campaign=campaign)
        contact_ids = list(Signature.objects.filter(petition__in=petitions).values_list("contact_id", flat=True))
        Signature.objects.filter(petition__in=petitions).delete()
        Contact.objects.filter(pk__in=contact_ids).delete()
        petitions.delete()
        campaign.delete()
        connection.close()
