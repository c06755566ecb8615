"""The session's user read from the cache (accounts.usercache): Django's checks still see every change."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from accounts.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_user_cache_on")]

PAGE = "/api/v1/notifications/"


@pytest.fixture
def _user_cache_on():
    with override_settings(USER_CACHE=True):
        yield


def user_selects(client) -> tuple[int, int]:
    """The status of a GET of the page and how many queries of it read the users table."""
    with CaptureQueriesContext(connection) as queries:
        status = client.get(PAGE).status_code
    return status, sum('FROM "accounts_user"' in q["sql"] for q in queries.captured_queries)


def test_the_second_request_reads_no_user_row(bank_cib, login):
    client = login(bank_cib)
    assert user_selects(client) == (200, 1)
    assert user_selects(client) == (200, 0)


def test_a_password_change_logs_the_session_out(bank_cib, login):
    client = login(bank_cib)
    assert user_selects(client) == (200, 1)
    user = User.objects.get(pk=bank_cib.pk)
    user.set_password("another-Passw0rd!")
    user.save()
    assert client.get(PAGE).status_code in (401, 403)


def test_a_deactivation_by_update_logs_the_session_out(bank_cib, login):
    client = login(bank_cib)
    client.get(PAGE)
    assert user_selects(client) == (200, 0)
    User.objects.filter(pk=bank_cib.pk).update(is_active=False)
    assert client.get(PAGE).status_code in (401, 403)


def test_a_deletion_logs_the_session_out(bank_cib, login):
    client = login(bank_cib)
    client.get(PAGE)
    User.objects.filter(pk=bank_cib.pk).delete()
    assert client.get(PAGE).status_code in (401, 403)


def test_a_saved_change_reaches_the_next_request(bank_cib, login):
    client = login(bank_cib)
    client.get(PAGE)
    user = User.objects.get(pk=bank_cib.pk)
    user.last_name = "新姓"
    user.save()
    assert user_selects(client) == (200, 1)
    assert client.get("/").context["request"].user.last_name == "新姓"


def test_other_lookups_by_key_read_the_database(bank_cib, login, django_assert_num_queries):
    login(bank_cib).get(PAGE)
    with django_assert_num_queries(1):
        User.objects.get(pk=bank_cib.pk)
