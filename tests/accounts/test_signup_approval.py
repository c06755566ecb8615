"""Sign-up, approval and rejection (staff page and Django admin), with events and e-mails."""

import pytest
from django.core import mail

from accounts.choices import AccountAction, ApprovalState, MemberRole, OrgKind, ProviderKind
from accounts.models import AccountEvent, Organization, User
from accounts.services import AccountError, approve_applicant, reject_applicant
from chains.models import County, FinancialProduct, Institution
from tests.accounts.helpers import PASSWORD, post_login

SIGNUP = "/accounts/signup/"


def application(**extra):
    data = {
        "username": "fq_official",
        "last_name": "林",
        "first_name": "清",
        "phone": "13912345678",
        "email": "fq@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "org_kind": OrgKind.COUNTY,
    }
    data.update(extra)
    return data


@pytest.fixture
def fuqing(reference):
    return County.objects.get(name="福清市")


@pytest.mark.django_db
def test_signup_for_a_new_county_organization_stays_pending(
    client, personas, fuqing, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP, application(county=fuqing.pk))
    assert response.status_code == 302
    assert response.url == "/accounts/signup/done/"
    user = User.objects.get(username="fq_official")
    assert not user.is_active
    assert user.approval_state == ApprovalState.PENDING
    assert user.role == MemberRole.MANAGER
    org = user.organization
    assert (org.name, org.kind, org.county, org.is_active) == (
        "福清市人民政府",
        OrgKind.COUNTY,
        fuqing,
        False,
    )
    assert AccountEvent.objects.get(target=user).action == AccountAction.APPLIED
    # Platform administrators are told there is something to review.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["admin@example.com"]
    assert "/accounts/approvals/" in mail.outbox[0].body
    # Not able to log in yet.
    assert "等待平台管理员审核" in post_login(client, "fq_official").content.decode()


@pytest.mark.django_db
def test_signup_joining_an_existing_organization_applies_as_member(client, personas):
    bank = personas["bank_cib"].organization
    response = client.post(SIGNUP, application(org_kind=OrgKind.PROVIDER, organization=bank.pk))
    assert response.status_code == 302
    user = User.objects.get(username="fq_official")
    assert (user.organization, user.role, user.is_active) == (bank, MemberRole.MEMBER, False)


@pytest.mark.django_db
def test_signup_for_a_bank_links_its_financial_products(client, personas):
    response = client.post(
        SIGNUP, application(org_kind=OrgKind.PROVIDER, provider_kind=ProviderKind.BANK, bank="中信银行")
    )
    assert response.status_code == 302
    org = User.objects.get(username="fq_official").organization
    assert org.provider_kind == ProviderKind.BANK
    assert set(org.financial_products.all()) == set(FinancialProduct.objects.filter(provider="中信银行"))


@pytest.mark.django_db
def test_signup_for_an_institution_links_the_catalog_entry(client, personas):
    fzu = Institution.objects.exclude(name="东华大学").first()
    response = client.post(
        SIGNUP,
        application(org_kind=OrgKind.PROVIDER, provider_kind=ProviderKind.INSTITUTION, institution=fzu.pk),
    )
    assert response.status_code == 302
    assert User.objects.get(username="fq_official").organization.institution == fzu


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"phone": "12345"}, "phone", "11 位中国大陆手机号"),
        ({"password1": "short", "password2": "short"}, "password2", "密码太短"),
        ({"password2": "Something-Else-2026"}, "password2", "不一致"),
        ({"email": "county_jinjiang@example.com"}, "email", "该邮箱已注册"),
        ({"username": "county_jinjiang"}, "username", "已存在"),
        ({"org_kind": ""}, "org_kind", "该字段是必填项"),
        ({"org_kind": "platform"}, "org_kind", "选择一个有效的选项"),
        ({}, "county", "请选择您所在组织对应的条目"),
        ({"org_kind": OrgKind.PROVIDER}, "provider_kind", "请选择资源方类型"),
        ({"org_kind": OrgKind.PROVIDER, "provider_kind": ProviderKind.BANK}, "bank", "请选择银行"),
    ],
)
def test_signup_validates_server_side_in_chinese(client, personas, extra, field, message):
    response = client.post(SIGNUP, application(**extra))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert not User.objects.filter(username=extra.get("username", "fq_official"), is_active=False).exists()


@pytest.mark.django_db
def test_signup_for_a_county_that_already_has_an_organization_points_to_it(client, personas):
    jinjiang = personas["county_jinjiang"].organization
    response = client.post(SIGNUP, application(county=jinjiang.county_id))
    errors = response.context["form"].errors["organization"]
    assert jinjiang.name in errors[0]


@pytest.mark.django_db
def test_signup_with_mismatched_existing_organization(client, personas):
    response = client.post(SIGNUP, application(organization=personas["body_kjt"].organization.pk))
    assert "所选组织与组织类型不一致" in response.context["form"].errors["organization"][0]


@pytest.mark.django_db
def test_signup_form_needs_csrf(personas, fuqing):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(SIGNUP, application(county=fuqing.pk))
    assert response.status_code == 403


@pytest.fixture
def applicant(client, personas, fuqing):
    client.post(SIGNUP, application(county=fuqing.pk))
    return User.objects.get(username="fq_official")


@pytest.mark.django_db
def test_admin_approves_on_the_staff_page(
    login, personas, applicant, client, django_capture_on_commit_callbacks
):
    admin_client = login(personas["admin"])
    page = admin_client.get(f"/accounts/approvals/{applicant.pk}/")
    assert "福清市人民政府" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/accounts/approvals/{applicant.pk}/", {"action": "approve"})
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.is_active and applicant.approval_state == ApprovalState.APPROVED
    assert applicant.organization.is_active
    event = AccountEvent.objects.get(target=applicant, action=AccountAction.APPROVED)
    assert event.actor == personas["admin"]
    assert mail.outbox[-1].to == ["fq@example.com"]
    assert "审核通过" in mail.outbox[-1].subject
    admin_client.logout()
    assert post_login(client, "fq_official").status_code == 302


@pytest.mark.django_db
def test_admin_rejects_with_a_reason(login, personas, applicant, django_capture_on_commit_callbacks):
    admin_client = login(personas["admin"])
    url = f"/accounts/approvals/{applicant.pk}/"
    empty = admin_client.post(url, {"action": "reject", "reason": "  "})
    assert empty.status_code == 200
    assert "请填写不通过的原因" in empty.content.decode()
    applicant.refresh_from_db()
    assert applicant.approval_state == ApprovalState.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"action": "reject", "reason": "无法核实申请人身份"})
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.approval_state == ApprovalState.REJECTED and not applicant.is_active
    event = AccountEvent.objects.get(target=applicant, action=AccountAction.REJECTED)
    assert (event.reason, event.organization_name) == ("无法核实申请人身份", "福清市人民政府")
    # The organization that existed only for this application is gone; the name stays on the events.
    assert applicant.organization is None
    assert not Organization.objects.filter(name="福清市人民政府").exists()
    assert "无法核实申请人身份" in mail.outbox[-1].body
    # Decided applications cannot be decided again.
    with pytest.raises(AccountError):
        approve_applicant(applicant, by=personas["admin"])


@pytest.mark.django_db
def test_only_platform_admins_decide(personas, applicant):
    with pytest.raises(AccountError):
        approve_applicant(applicant, by=personas["county_jinjiang"])
    with pytest.raises(AccountError):
        reject_applicant(applicant, by=personas["city_quanzhou"], reason="x y")
    applicant.refresh_from_db()
    assert applicant.approval_state == ApprovalState.PENDING


@pytest.mark.django_db
def test_django_admin_actions_call_the_same_services(login, personas, applicant, client):
    admin_client = login(personas["admin"])
    changelist = "/admin/accounts/user/"
    ask = admin_client.post(changelist, {"action": "reject_applicants", "_selected_action": [applicant.pk]})
    assert ask.status_code == 200
    assert "不通过原因" in ask.content.decode()
    done = admin_client.post(
        changelist,
        {"action": "reject_applicants", "_selected_action": [applicant.pk], "reason": "资料不全"},
    )
    assert done.status_code == 302
    applicant.refresh_from_db()
    assert applicant.approval_state == ApprovalState.REJECTED
    assert AccountEvent.objects.get(target=applicant, action=AccountAction.REJECTED).reason == "资料不全"


@pytest.mark.django_db
def test_django_admin_approve_action(login, personas, applicant):
    admin_client = login(personas["admin"])
    response = admin_client.post(
        "/admin/accounts/user/", {"action": "approve_applicants", "_selected_action": [applicant.pk]}
    )
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.is_active
    assert AccountEvent.objects.filter(target=applicant, action=AccountAction.APPROVED).count() == 1


@pytest.mark.django_db
def test_approval_queue_query_count_does_not_grow(login, personas, reference, django_assert_num_queries):
    from accounts.services import register_applicant

    counties = list(County.objects.exclude(organizations__isnull=False)[:6])
    for i, county in enumerate(counties):
        user = User(username=f"app{i}", email=f"app{i}@example.com", last_name="申", first_name=str(i))
        register_applicant(
            user, Organization(kind=OrgKind.COUNTY, county=county, name=f"{county.name}人民政府")
        )
    admin_client = login(personas["admin"])
    # session, user, unread-notification badge, user's organization, applicants (+ organizations),
    # organizations already in use for the applied-for entries, decisions; session save (3).
    with django_assert_num_queries(10):
        response = admin_client.get("/accounts/approvals/")
    assert response.status_code == 200
    assert len(response.context["pending"]) == 6


@pytest.mark.django_db
def test_account_events_are_append_only(personas, applicant):
    event = AccountEvent.objects.get(target=applicant)
    event.reason = "changed"
    with pytest.raises(ValueError):
        event.save()
