"""Pending organizations do not block other applicants: several may apply for the same county or body, the
administrator chooses between them, approving one approves nobody else, and rejections carry a reason."""

import pytest
from django.test import Client

from accounts.choices import AccountAction, ApprovalState, MemberRole, OrgKind
from accounts.models import AccountEvent, Organization, User
from accounts.services import approve_applicant
from chains.models import County, ProvincialBody
from tests.accounts.helpers import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"


@pytest.fixture(autouse=True)
def generous_signup_rate(settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "signup": "1000/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def apply(client, username, **org):
    data = {
        "username": username, "last_name": "林", "first_name": "清", "phone": "13912345678",
        "email": f"{username}@example.com", "password1": PASSWORD, "password2": PASSWORD, **org,
    }  # fmt: skip
    return client.post(SIGNUP, data)


@pytest.fixture
def fuqing(reference):
    return County.objects.get(name="福清市")


@pytest.fixture
def caizheng(reference):
    return ProvincialBody.objects.get(short_name="省财政厅")


@pytest.fixture
def squatted(client, personas, fuqing, caizheng):
    """An anonymous visitor has claimed 福清市 and 省财政厅 before the real officials apply."""
    assert apply(client, "squatter1", org_kind=OrgKind.COUNTY, county=fuqing.pk).status_code == 302
    assert apply(client, "squatter2", org_kind=OrgKind.BODY, provincial_body=caizheng.pk).status_code == 302
    return User.objects.get(username="squatter1"), User.objects.get(username="squatter2")


def test_a_pending_claim_does_not_block_the_real_applicants(client, squatted, fuqing, caizheng):
    real_county = apply(client, "fq_official", org_kind=OrgKind.COUNTY, county=fuqing.pk)
    assert real_county.status_code == 302, real_county.context["form"].errors
    real_body = apply(client, "czt_official", org_kind=OrgKind.BODY, provincial_body=caizheng.pk)
    assert real_body.status_code == 302
    for username in ("fq_official", "czt_official"):
        user = User.objects.get(username=username)
        assert (user.approval_state, user.is_active, user.role) == (
            ApprovalState.PENDING,
            False,
            MemberRole.MANAGER,
        )
    # Two pending organizations of the same name may exist side by side.
    assert Organization.objects.filter(name="福清市人民政府", is_active=False).count() == 2


def test_the_administrator_sees_the_competing_applications(client, login, personas, squatted, fuqing):
    apply(client, "fq_official", org_kind=OrgKind.COUNTY, county=fuqing.pk)
    admin = login(personas["admin"])
    queue = admin.get("/accounts/approvals/").content.decode()
    assert queue.count("另有 1 个申请") == 2  # squatter1 and fq_official, not squatter2
    real = User.objects.get(username="fq_official")
    page = admin.get(f"/accounts/approvals/{real.pk}/").content.decode()
    assert "同一条目还有以下待审核的申请" in page
    assert "squatter1" in page and "squatter1@example.com" in page


def test_approving_one_does_not_approve_the_squatter_and_rejection_is_recorded(
    client, login, personas, squatted, fuqing
):
    squatter, _other = squatted
    apply(client, "fq_official", org_kind=OrgKind.COUNTY, county=fuqing.pk)
    real = User.objects.get(username="fq_official")
    admin = login(personas["admin"])
    assert admin.post(f"/accounts/approvals/{real.pk}/", {"action": "approve"}).status_code == 302
    real.refresh_from_db()
    squatter.refresh_from_db()
    assert real.is_active and real.organization.is_active and real.role == MemberRole.MANAGER
    assert real.organization.county == fuqing
    # The squatter is untouched: still pending, inactive, its own organization still not in use.
    assert (squatter.approval_state, squatter.is_active) == (ApprovalState.PENDING, False)
    assert not squatter.organization.is_active and squatter.organization != real.organization
    # Its page now says an organization is in use for 福清市; the administrator rejects with a reason.
    page = admin.get(f"/accounts/approvals/{squatter.pk}/").content.decode()
    assert "该条目已有启用的组织“福清市人民政府”" in page
    squatter_org = squatter.organization
    reason = "无法核实身份，非福清市政府工作人员"
    response = admin.post(f"/accounts/approvals/{squatter.pk}/", {"action": "reject", "reason": reason})
    assert response.status_code == 302
    squatter.refresh_from_db()
    assert squatter.approval_state == ApprovalState.REJECTED
    event = AccountEvent.objects.get(target=squatter, action=AccountAction.REJECTED)
    assert (event.reason, event.actor) == (reason, personas["admin"])
    assert not Organization.objects.filter(pk=squatter_org.pk).exists()
    assert Organization.objects.get(name="福清市人民政府", is_active=True) == real.organization
    # New applicants for 福清市 are now pointed at the organization in use.
    late = apply(Client(), "fq_late", org_kind=OrgKind.COUNTY, county=fuqing.pk)
    assert "请在“加入已有组织”中选择它" in " ".join(late.context["form"].errors["organization"])


def test_approving_a_second_applicant_later_makes_them_a_member_of_the_approved_one(
    client, personas, squatted, fuqing
):
    squatter, _other = squatted
    apply(client, "fq_official", org_kind=OrgKind.COUNTY, county=fuqing.pk)
    real = approve_applicant(User.objects.get(username="fq_official"), by=personas["admin"])
    pending_org = squatter.organization
    joined = approve_applicant(squatter, by=personas["admin"])
    assert (joined.organization, joined.role) == (real.organization, MemberRole.MEMBER)
    assert not Organization.objects.filter(pk=pending_org.pk).exists()
    assert Organization.objects.filter(county=fuqing, kind=OrgKind.COUNTY, is_active=True).count() == 1
