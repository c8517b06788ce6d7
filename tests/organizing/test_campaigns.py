"""The campaign domain on its own: creating, updating and closing campaigns, and the closers the apps
above register so that closing a campaign closes their actions without this app importing them."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError

from organizing import services
from organizing.models import Campaign, CampaignMembership

pytestmark = pytest.mark.django_db


def test_a_creator_who_is_not_admin_becomes_the_organizer_in_the_same_step():
    user = User.objects.create_user("ana", "ana@example.org", "pw")
    user.groups.add(Group.objects.get(name="organizer"))
    campaign = services.campaign_create(slug="c1", name="C1", creator=user)
    membership = CampaignMembership.objects.get(campaign=campaign)
    assert (membership.user, membership.role) == (user, CampaignMembership.Role.ORGANIZER)


def test_a_duplicate_slug_and_an_end_before_the_start_are_field_errors():
    services.campaign_create(slug="c1", name="C1")
    with pytest.raises(ValidationError) as dup:
        services.campaign_create(slug="c1", name="Again")
    assert "slug" in dup.value.message_dict
    start = dt.datetime(2027, 1, 3, tzinfo=dt.UTC)
    with pytest.raises(ValidationError) as dates:
        services.campaign_create(slug="c2", name="C2", starts_at=start, ends_at=start - dt.timedelta(days=1))
    assert "ends_at" in dates.value.message_dict


def test_closing_runs_every_registered_closer_once_per_close_and_is_idempotent(monkeypatch):
    closed: list[str] = []
    monkeypatch.setattr(services, "_closers", {**services._closers, "test": lambda c: closed.append(c.slug)})
    campaign = services.campaign_create(slug="c1", name="C1", status=Campaign.Status.ACTIVE)
    services.campaign_close(campaign=campaign)
    services.campaign_close(campaign=campaign)
    assert Campaign.objects.get(slug="c1").status == Campaign.Status.CLOSED
    assert closed == ["c1", "c1"]  # each closer is idempotent itself (petitions: only open ones close)
    assert "petitions" in services._closers  # registered by petitions/apps.py
