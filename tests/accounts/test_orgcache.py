"""The cached organisation behind every scope (accounts.orgcache): read once, dropped by every write to it."""

import pytest
from django.test import override_settings

from accounts import orgcache
from accounts.models import Organization, User
from accounts.scoping import Scope
from chains.models import County, Prefecture, ProvincialBody

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_org_cache_on")]


@pytest.fixture
def _org_cache_on():
    with override_settings(ORG_CACHE=True):
        yield


def fresh_scope(user) -> Scope:
    """The scope of a newly loaded copy of the user (as each request loads it)."""
    return Scope.for_user(User.objects.get(pk=user.pk))


def test_second_request_reads_the_organisation_from_the_cache(county_jinjiang, django_assert_num_queries):
    first = fresh_scope(county_jinjiang)
    county_name = County.objects.get(pk=county_jinjiang.organization.county_id).name
    user = User.objects.get(pk=county_jinjiang.pk)
    with django_assert_num_queries(0):
        assert Scope.for_user(user) == first
        assert user.organization.name == "晋江市人民政府"
        assert user.organization.county.name == county_name


def test_saving_or_updating_the_organisation_changes_the_scope(county_jinjiang):
    assert fresh_scope(county_jinjiang).active
    org = Organization.objects.get(pk=county_jinjiang.organization_id)
    org.is_active = False
    org.save()
    assert not fresh_scope(county_jinjiang).active
    Organization.objects.filter(pk=org.pk).update(is_active=True, name="晋江市政府（新）")
    assert fresh_scope(county_jinjiang).active
    assert User.objects.get(pk=county_jinjiang.pk).organization.name == "晋江市政府（新）"


def test_moving_the_county_changes_the_scope(county_jinjiang):
    before = fresh_scope(county_jinjiang).prefecture_id
    county = County.objects.get(pk=county_jinjiang.organization.county_id)
    other = Prefecture.objects.exclude(pk=before).first()
    county.prefecture = other
    county.save()
    assert fresh_scope(county_jinjiang).prefecture_id == other.pk


def test_changing_the_bodys_kinds_changes_the_scope(body_kjt):
    assert fresh_scope(body_kjt).handles
    body = ProvincialBody.objects.get(pk=body_kjt.organization.provincial_body_id)
    body.handles = "capital"
    body.save()
    assert fresh_scope(body_kjt).handles == frozenset({"capital"})


def test_a_bump_outdates_every_entry(county_jinjiang, django_assert_num_queries):
    fresh_scope(county_jinjiang)
    orgcache.bump()
    user = User.objects.get(pk=county_jinjiang.pk)
    with django_assert_num_queries(1):
        Scope.for_user(user)


def test_off_without_a_shared_cache(county_jinjiang, django_assert_num_queries):
    with override_settings(ORG_CACHE=False):
        fresh_scope(county_jinjiang)
        user = User.objects.get(pk=county_jinjiang.pk)
        with django_assert_num_queries(1):
            Scope.for_user(user)
