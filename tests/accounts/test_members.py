"""Managers invite, deactivate and reactivate their own members, and nobody else's (404)."""

import re

import pytest
from django.core import mail

from accounts.choices import AccountAction, ApprovalState, MemberRole
from accounts.models import AccountEvent, User
from accounts.services import AccountError, deactivate_member, invite_member
from tests.accounts.helpers import PASSWORD, make_member, post_login


@pytest.fixture
def jinjiang_member(county_jinjiang):
    return make_member(county_jinjiang.organization, "jj_clerk")


@pytest.fixture
def luoyuan_member(county_luoyuan):
    return make_member(county_luoyuan.organization, "ly_clerk")


@pytest.mark.django_db
def test_my_organization_lists_members(login, county_jinjiang, jinjiang_member, luoyuan_member):
    page = login(county_jinjiang).get("/accounts/organization/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "晋江市人民政府" in body and "jj_clerk" in body
    assert "ly_clerk" not in body
    assert "邀请成员" in body
    assert f"/accounts/members/{jinjiang_member.pk}/deactivate/" in body


@pytest.mark.django_db
def test_member_list_query_count_is_constant(login, county_jinjiang, django_assert_num_queries):
    for i in range(8):
        make_member(county_jinjiang.organization, f"jj_{i}")
    client = login(county_jinjiang)
    # session, user, unread-notification badge, user's organization with its county (scope, one query),
    # organization (+links), members, editable ids; session save (3). Nine members, no per-member query.
    with django_assert_num_queries(10):
        response = client.get("/accounts/organization/")
    assert len(response.context["members"]) == 9


@pytest.mark.django_db
def test_plain_member_sees_the_organization_but_cannot_manage(login, jinjiang_member, county_jinjiang):
    client = login(jinjiang_member)
    body = client.get("/accounts/organization/").content.decode()
    assert "county_jinjiang" in body
    assert "邀请成员" not in body and "deactivate" not in body
    assert client.get("/accounts/organization/invite/").status_code == 404
    response = client.post(f"/accounts/members/{county_jinjiang.pk}/deactivate/")
    assert response.status_code == 404
    county_jinjiang.refresh_from_db()
    assert county_jinjiang.is_active


@pytest.mark.django_db
def test_manager_deactivates_and_reactivates_own_member(
    login, client, county_jinjiang, jinjiang_member, django_capture_on_commit_callbacks
):
    manager = login(county_jinjiang)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(f"/accounts/members/{jinjiang_member.pk}/deactivate/")
    assert response.status_code == 302
    jinjiang_member.refresh_from_db()
    assert not jinjiang_member.is_active
    event = AccountEvent.objects.get(target=jinjiang_member, action=AccountAction.DEACTIVATED)
    assert event.actor == county_jinjiang
    assert mail.outbox[-1].to == ["jj_clerk@example.com"]
    manager.logout()
    assert post_login(client, "jj_clerk").status_code == 200
    manager = login(county_jinjiang)
    assert manager.post(f"/accounts/members/{jinjiang_member.pk}/reactivate/").status_code == 302
    jinjiang_member.refresh_from_db()
    assert jinjiang_member.is_active


@pytest.mark.django_db
def test_deactivated_member_is_logged_out_at_once(login, client, county_jinjiang, jinjiang_member):
    member_client = login(jinjiang_member)
    assert member_client.get("/accounts/profile/").status_code == 200
    deactivate_member(jinjiang_member, by=county_jinjiang)
    assert member_client.get("/accounts/profile/").status_code == 302


@pytest.mark.django_db
def test_manager_cannot_touch_another_organizations_members(login, county_jinjiang, luoyuan_member):
    client = login(county_jinjiang)
    assert client.get(f"/accounts/members/{luoyuan_member.pk}/").status_code == 404
    assert client.post(f"/accounts/members/{luoyuan_member.pk}/deactivate/").status_code == 404
    assert client.post(f"/accounts/members/{luoyuan_member.pk}/reactivate/").status_code == 404
    luoyuan_member.refresh_from_db()
    assert luoyuan_member.is_active
    assert not AccountEvent.objects.filter(target=luoyuan_member).exists()
    with pytest.raises(AccountError):
        deactivate_member(luoyuan_member, by=county_jinjiang)


@pytest.mark.django_db
def test_manager_cannot_deactivate_themselves(login, county_jinjiang):
    client = login(county_jinjiang)
    assert client.post(f"/accounts/members/{county_jinjiang.pk}/deactivate/").status_code == 404
    county_jinjiang.refresh_from_db()
    assert county_jinjiang.is_active


@pytest.mark.django_db
def test_city_sees_its_counties_organizations_but_not_their_members(login, city_quanzhou, jinjiang_member):
    client = login(city_quanzhou)
    assert client.get(f"/accounts/members/{jinjiang_member.pk}/").status_code == 404
    assert client.post(f"/accounts/members/{jinjiang_member.pk}/deactivate/").status_code == 404


@pytest.mark.django_db
def test_platform_admin_sees_any_member(login, platform_admin, luoyuan_member):
    assert login(platform_admin).get(f"/accounts/members/{luoyuan_member.pk}/").status_code == 200


def invite(client, **extra):
    data = {
        "username": "jj_new",
        "last_name": "新",
        "first_name": "人",
        "email": "jj_new@example.com",
        "phone": "13700000000",
    }
    data.update(extra)
    return client.post("/accounts/organization/invite/", data)


@pytest.mark.django_db
def test_invitation_sets_password_through_a_single_use_link(
    login, client, county_jinjiang, django_capture_on_commit_callbacks
):
    manager = login(county_jinjiang)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(manager)
    assert response.status_code == 302
    invited = User.objects.get(username="jj_new")
    assert (invited.is_active, invited.approval_state, invited.role) == (
        False,
        ApprovalState.INVITED,
        MemberRole.MEMBER,
    )
    assert invited.organization == county_jinjiang.organization
    assert not invited.has_usable_password()
    message = mail.outbox[-1]
    assert message.to == ["jj_new@example.com"]
    link = re.search(r"http://testserver(/accounts/invite/\S+/)", message.body).group(1)
    manager.logout()
    page = client.get(link, follow=True)
    assert "设置密码并启用账号" in page.content.decode()
    set_url = page.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "short", "new_password2": "short"})
    assert "密码太短" in weak.content.decode()
    new = "Invited-Member-Pass-2026"
    assert client.post(set_url, {"new_password1": new, "new_password2": new}).status_code == 302
    invited.refresh_from_db()
    assert invited.is_active and invited.approval_state == ApprovalState.APPROVED
    assert AccountEvent.objects.filter(target=invited, action=AccountAction.INVITATION_ACCEPTED).exists()
    # The link cannot be used again.
    again = client.get(link, follow=True)
    assert "该邀请链接无效" in again.content.decode()
    assert post_login(client, "jj_new", new).status_code == 302


@pytest.mark.django_db
def test_password_reset_link_does_not_activate_an_invitation(
    client, county_jinjiang, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite_member(
            county_jinjiang.organization, by=county_jinjiang, username="jj_new", email="n@example.com"
        )
    client.post("/accounts/password/reset/", {"email": "n@example.com"})
    assert len(mail.outbox) == 1  # only the invitation; inactive accounts get no reset link


@pytest.mark.django_db
def test_invitation_validates(login, county_jinjiang):
    client = login(county_jinjiang)
    response = invite(client, username="county_luoyuan", email="bank_cib@example.com", phone="123")
    errors = response.context["form"].errors
    assert "该用户名已被使用" in errors["username"][0]
    assert "该邮箱已注册" in errors["email"][0]
    assert "手机号" in errors["phone"][0]


@pytest.mark.django_db
def test_withdrawn_invitation_link_stops_working(
    login, client, county_jinjiang, django_capture_on_commit_callbacks
):
    manager = login(county_jinjiang)
    with django_capture_on_commit_callbacks(execute=True):
        invite(manager)
    link = re.search(r"http://testserver(/accounts/invite/\S+/)", mail.outbox[-1].body).group(1)
    invited = User.objects.get(username="jj_new")
    assert manager.post(f"/accounts/members/{invited.pk}/deactivate/").status_code == 302
    manager.logout()
    assert "该邀请链接无效" in client.get(link, follow=True).content.decode()


@pytest.mark.django_db
def test_profile_edit_validates(login, body_jrb):
    client = login(body_jrb)
    bad = client.post(
        "/accounts/profile/",
        {"last_name": "郑", "first_name": "融", "phone": "0591-1234", "email": "body_kjt@example.com"},
    )
    errors = bad.context["form"].errors
    assert "phone" in errors and "该邮箱已被其他账号使用" in errors["email"][0]
    ok = client.post(
        "/accounts/profile/",
        {"last_name": "郑", "first_name": "新", "phone": "13600000000", "email": "jrb@example.com"},
    )
    assert ok.status_code == 302
    body_jrb.refresh_from_db()
    assert (body_jrb.first_name, body_jrb.phone) == ("新", "13600000000")
    assert body_jrb.check_password(PASSWORD)
