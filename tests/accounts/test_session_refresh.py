"""A signed-in session's expiry slides with activity, written at most once per SESSION_REFRESH_SECONDS."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from config.middleware import SessionRefreshMiddleware

pytestmark = pytest.mark.django_db


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_requests_within_the_window_do_not_rewrite_the_session(login, county_jinjiang, monkeypatch):
    client = login(county_jinjiang)
    clock = [1_000_000.0]
    monkeypatch.setattr("config.middleware.time.time", lambda: clock[0])
    assert client.get(reverse("home")).status_code == 200
    first = client.session[SessionRefreshMiddleware.KEY]
    written = expiry(client)

    clock[0] += 120  # two minutes later: inside the default 300 s window
    assert client.get(reverse("home")).status_code == 200
    assert client.session[SessionRefreshMiddleware.KEY] == first
    assert expiry(client) == written

    clock[0] += 300  # past the window: renewed, so the idle timeout counts from now
    assert client.get(reverse("home")).status_code == 200
    assert client.session[SessionRefreshMiddleware.KEY] == first + 420
    assert expiry(client) > written


def test_anonymous_visitors_get_no_session(client):
    assert client.get(reverse("home")).status_code == 200
    assert "sessionid" not in client.cookies or not client.cookies["sessionid"].value
    assert Session.objects.count() == 0
