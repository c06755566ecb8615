"""A signed-in request's first cache reads (session, user, organisation, unread count) in one round trip
(accounts.usercache.read_ahead), with the same answers as one read each."""

import re
from unittest import mock

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from accounts.models import Organization, User
from matchmaking.choices import NotificationKind
from matchmaking.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_caches_on")]

CACHED_DB = "django.contrib.sessions.backends.cached_db"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def _caches_on():
    with override_settings(USER_CACHE=True, ORG_CACHE=True, UNREAD_CACHE=True, SESSION_ENGINE=CACHED_DB):
        yield


def round_trips(client, path) -> tuple[str, int]:
    """The page's text (CSRF tokens blanked) and how many reads of the session, user, organisation and unread
    entries it sent to the default cache (a get_many is one, whatever the local-memory cache does inside)."""
    default = caches["default"]
    get, get_many = default.get, default.get_many
    reads, inside = [], []

    def one(key, *args, **kwargs):
        if not inside:
            reads.append([key])
        return get(key, *args, **kwargs)

    def many(keys, *args, **kwargs):
        reads.append(list(keys))
        inside.append(True)
        try:
            return get_many(keys, *args, **kwargs)
        finally:
            inside.pop()

    with mock.patch.object(default, "get", one), mock.patch.object(default, "get_many", many):
        response = client.get(path)
    assert response.status_code == 200
    ours = ("sessions", "session-user:", "scope-org:", "unread:")
    trips = sum(any(part in key for key in keys for part in ours) for keys in reads)
    return CSRF.sub("", response.content.decode()), trips


def test_a_page_reads_its_session_user_organisation_and_count_at_once(county_jinjiang, login):
    client = login(county_jinjiang)
    page = reverse("orders:inbox")
    first, first_trips = round_trips(client, page)
    again, trips = round_trips(client, page)
    assert again == first
    assert first_trips >= 4  # one read each (and the tags started after the cleared cache)
    assert trips == 1
    _text, api_trips = round_trips(client, "/api/v1/notifications/")
    assert api_trips == 1


def test_what_changed_since_the_last_request_is_shown(county_jinjiang, login):
    client = login(county_jinjiang)
    page = reverse("orders:inbox")
    round_trips(client, page)
    Notification.objects.create(recipient=county_jinjiang, kind=NotificationKind.PUBLISHED, title="新消息")
    Organization.objects.filter(pk=county_jinjiang.organization_id).update(name="晋江市政府（新）")
    User.objects.filter(pk=county_jinjiang.pk).update(last_name="新")
    text, _trips = round_trips(client, page)
    assert "晋江市政府（新）" in text
    unread = Notification.objects.filter(recipient=county_jinjiang, read_at__isnull=True).count()
    assert f'data-testid="unread-count">{unread}<' in text


def test_another_organisation_than_guessed_is_read_as_before(county_jinjiang, bank_cib, login):
    client = login(county_jinjiang)
    page = reverse("orders:inbox")
    round_trips(client, page)
    User.objects.filter(pk=county_jinjiang.pk).update(organization=bank_cib.organization)
    text, trips = round_trips(client, page)
    assert bank_cib.organization.name in text
    assert trips > 1  # the new organisation's entry read on its own
    _text, trips = round_trips(client, page)
    assert trips == 1


def test_a_logged_out_session_is_anonymous(county_jinjiang, login):
    client = login(county_jinjiang)
    round_trips(client, reverse("orders:inbox"))
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("orders:inbox")).status_code == 302
