"""The cached unread count (matchmaking.unread): exact after every write that changes it."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from matchmaking import services
from matchmaking.choices import NotificationKind
from matchmaking.models import Notification
from matchmaking.unread import unread_count

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_unread_cache_on")]


@pytest.fixture
def _unread_cache_on():
    with override_settings(UNREAD_CACHE=True):
        yield


def note(user, title="消息") -> Notification:
    return Notification.objects.create(recipient=user, kind=NotificationKind.PUBLISHED, title=title)


def test_count_is_cached_and_follows_every_write(bank_cib, django_assert_num_queries):
    start = unread_count(bank_cib)
    with django_assert_num_queries(0):
        assert unread_count(bank_cib) == start
    first = note(bank_cib)
    assert unread_count(bank_cib) == start + 1
    Notification.objects.bulk_create(
        [Notification(recipient=bank_cib, kind=NotificationKind.PUBLISHED, title=str(i)) for i in range(3)]
    )
    assert unread_count(bank_cib) == start + 4
    first.read_at = timezone.now()
    first.save()
    assert unread_count(bank_cib) == start + 3
    Notification.objects.filter(recipient=bank_cib, read_at__isnull=True).first().delete()
    assert unread_count(bank_cib) == start + 2
    services.mark_notifications_read(bank_cib)
    assert unread_count(bank_cib) == 0
    Notification.objects.filter(pk=first.pk).update(read_at=None)
    assert unread_count(bank_cib) == 1


def test_other_updates_keep_the_count_and_cost_no_query(bank_cib, django_assert_num_queries):
    note(bank_cib)
    count = unread_count(bank_cib)
    with django_assert_num_queries(1):
        Notification.objects.filter(recipient=bank_cib).update(emailed_at=timezone.now())
    with django_assert_num_queries(0):
        assert unread_count(bank_cib) == count


def test_the_header_badge_follows_new_and_read_messages(bank_cib, login):
    client = login(bank_cib)
    services.mark_notifications_read(bank_cib)
    page = reverse("orders:inbox")
    assert 'data-testid="unread-count"' not in client.get(page).content.decode()
    note(bank_cib)
    note(bank_cib)
    assert 'data-testid="unread-count">2<' in client.get(page).content.decode()
    services.mark_notifications_read(bank_cib)
    assert 'data-testid="unread-count"' not in client.get(page).content.decode()
