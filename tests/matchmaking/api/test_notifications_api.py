"""Notifications API: only one's own messages; marking one or all read."""

import pytest
from django.urls import reverse

from matchmaking.models import Notification


def url(name, *args):
    return reverse(f"api:{name}", args=args)


@pytest.fixture
def inbox(county_jinjiang, county_luoyuan):
    """Three messages for 晋江市 (one read already) and one for 罗源县."""
    from django.utils import timezone

    mine = [
        Notification.objects.create(recipient=county_jinjiang, kind="published", title=f"需求已发布 {i}")
        for i in range(3)
    ]
    Notification.objects.filter(pk=mine[0].pk).update(read_at=timezone.now())
    theirs = Notification.objects.create(recipient=county_luoyuan, kind="returned", title="需求被退回修改")
    return mine, theirs


@pytest.mark.django_db
def test_anonymous_is_401(api, inbox):
    mine, _theirs = inbox
    assert api(None).get(url("notification-list")).status_code == 401
    assert api(None).post(url("notification-read", mine[1].pk)).status_code == 401


@pytest.mark.django_db
def test_list_only_own_with_unread_filter(api, inbox, county_jinjiang, body_kjt):
    mine, _theirs = inbox
    body = api(county_jinjiang).get(url("notification-list")).json()
    assert {n["id"] for n in body["results"]} == {n.pk for n in mine}
    assert body["results"][0]["kind_label"] == "需求已发布"
    unread = api(county_jinjiang).get(url("notification-list"), {"unread": "true"}).json()
    assert {n["id"] for n in unread["results"]} == {mine[1].pk, mine[2].pk}
    assert all(n["is_read"] is False for n in unread["results"])
    assert api(body_kjt).get(url("notification-list")).json()["count"] == 0
    assert api(county_jinjiang).get(url("notification-list"), {"kind": "nonsense"}).status_code == 400


@pytest.mark.django_db
def test_mark_read_own_only(api, inbox, county_jinjiang):
    mine, theirs = inbox
    client = api(county_jinjiang)
    response = client.post(url("notification-read", mine[1].pk))
    assert response.status_code == 200 and response.json()["is_read"] is True
    assert response.json()["read_at"] is not None
    again = client.post(url("notification-read", mine[1].pk))
    assert again.json()["read_at"] == response.json()["read_at"]  # idempotent
    missing = client.post(url("notification-read", theirs.pk))
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert Notification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.django_db
def test_mark_all_read(api, inbox, county_jinjiang):
    _mine, theirs = inbox
    response = api(county_jinjiang).post(url("notification-read-all"))
    assert response.json() == {"updated": 2}
    assert not Notification.objects.filter(recipient=county_jinjiang, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.django_db
def test_workflow_steps_reach_the_api_inbox(api, make_order, drive, county_jinjiang):
    drive(make_order(), "published")
    kinds = {n["kind"] for n in api(county_jinjiang).get(url("notification-list")).json()["results"]}
    assert "published" in kinds
