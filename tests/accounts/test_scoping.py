"""The scoping mechanism on Organization and User: own organization; city reads its counties' governments."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from accounts.models import Organization, User
from accounts.scoping import get_visible_or_404
from tests.accounts.helpers import make_member


def names(qs):
    return set(qs.values_list("name", flat=True))


@pytest.mark.django_db
def test_county_sees_and_edits_only_its_own_organization(county_jinjiang, county_luoyuan):
    assert names(Organization.objects.visible_to(county_jinjiang)) == {"晋江市人民政府"}
    assert names(Organization.objects.editable_by(county_jinjiang)) == {"晋江市人民政府"}
    with pytest.raises(Http404):
        get_visible_or_404(Organization.objects.all(), county_jinjiang, pk=county_luoyuan.organization_id)


@pytest.mark.django_db
def test_city_reads_its_counties_but_edits_only_itself(city_quanzhou):
    visible = names(Organization.objects.visible_to(city_quanzhou))
    assert visible == {"泉州市人民政府", "晋江市人民政府"}  # 罗源县 is in 福州市
    assert names(Organization.objects.editable_by(city_quanzhou)) == {"泉州市人民政府"}


@pytest.mark.django_db
def test_plain_member_edits_nothing(county_jinjiang):
    clerk = make_member(county_jinjiang.organization, "jj_clerk")
    assert names(Organization.objects.visible_to(clerk)) == {"晋江市人民政府"}
    assert not Organization.objects.editable_by(clerk).exists()
    assert not User.objects.editable_by(clerk).exists()
    assert set(User.objects.visible_to(clerk).values_list("username", flat=True)) == {
        "county_jinjiang",
        "jj_clerk",
    }


@pytest.mark.django_db
def test_manager_edits_members_but_not_self(county_jinjiang):
    clerk = make_member(county_jinjiang.organization, "jj_clerk")
    assert list(User.objects.editable_by(county_jinjiang)) == [clerk]


@pytest.mark.django_db
def test_admin_sees_everything_anonymous_nothing(platform_admin, personas):
    assert Organization.objects.visible_to(platform_admin).count() == Organization.objects.count()
    assert User.objects.editable_by(platform_admin).count() == User.objects.count()
    assert not Organization.objects.visible_to(AnonymousUser()).exists()
    assert not User.objects.visible_to(None).exists()


@pytest.mark.django_db
def test_pending_applicant_sees_nothing(county_jinjiang):
    applicant = make_member(county_jinjiang.organization, "jj_pending", active=False)
    assert not User.objects.visible_to(applicant).exists()
    applicant.is_active = True
    applicant.approval_state = "pending"
    applicant._scope_cache = None
    assert not Organization.objects.visible_to(applicant).exists()


@pytest.mark.django_db
def test_organization_clean_requires_the_right_link(reference):
    from django.core.exceptions import ValidationError

    org = Organization(name="某县", kind="county")
    with pytest.raises(ValidationError) as exc:
        org.clean()
    assert "county" in exc.value.message_dict
    body = reference.ProvincialBody.objects.get(short_name="省科技厅")
    org = Organization(name="x", kind="provider", provider_kind="institution", provincial_body=body)
    with pytest.raises(ValidationError) as exc:
        org.clean()
    assert {"institution", "provincial_body"} <= set(exc.value.message_dict)
