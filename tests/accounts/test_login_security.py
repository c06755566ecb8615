"""Login through the real form, lockout after repeated failures, login records, passwords."""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.choices import AccountAction, ApprovalState, LoginEventKind
from accounts.models import AccountEvent, LoginEvent, User
from devtools.personas import PERSONA_USERNAMES
from tests.accounts.helpers import PASSWORD, make_member, post_login

LOGIN = "/accounts/login/"


@pytest.mark.django_db
@pytest.mark.parametrize("username", PERSONA_USERNAMES)
def test_every_persona_logs_in_through_the_form(client, personas, username):
    response = post_login(client, username)
    assert response.status_code == 302
    assert response.url == reverse("orders:workbench")  # the role's workbench, not the generic home page
    assert client.session["_auth_user_id"] == str(personas[username].pk)
    assert LoginEvent.objects.filter(kind=LoginEventKind.LOGIN, username=username).count() == 1
    page = client.get(response.url)
    assert personas[username].organization.name in page.content.decode()


@pytest.mark.django_db
def test_login_page_is_chinese_and_has_csrf(client):
    page = client.get(LOGIN).content.decode()
    assert "csrfmiddlewaretoken" in page
    assert "忘记密码" in page


@pytest.mark.django_db
def test_wrong_password_is_refused_and_recorded(client, personas):
    response = post_login(client, "county_jinjiang", "wrong-password-123")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session
    event = LoginEvent.objects.get(kind=LoginEventKind.FAILED)
    assert event.username == "county_jinjiang"
    assert event.user == personas["county_jinjiang"]
    assert event.ip_address == "127.0.0.1"


@pytest.mark.django_db
def test_pending_applicant_cannot_log_in(client, personas):
    applicant = make_member(personas["bank_cib"].organization, "applicant_x", active=False)
    User.objects.filter(pk=applicant.pk).update(approval_state=ApprovalState.PENDING)
    response = post_login(client, "applicant_x")
    assert response.status_code == 200
    assert "正在等待平台管理员审核" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginEvent.objects.filter(kind=LoginEventKind.FAILED, username="applicant_x").exists()


@pytest.mark.django_db
def test_pending_applicant_with_wrong_password_gets_the_generic_message(client, personas):
    applicant = make_member(personas["bank_cib"].organization, "applicant_y", active=False)
    User.objects.filter(pk=applicant.pk).update(approval_state=ApprovalState.PENDING)
    body = post_login(client, "applicant_y", "not-the-password").content.decode()
    assert "用户名或密码不正确" in body
    assert "审核" not in body.split("<main")[1].split("</form>")[0]


@pytest.mark.django_db
def test_fifth_wrong_password_locks_the_account_and_is_logged(client, personas):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _ in range(limit - 1):
        assert post_login(client, "county_luoyuan", "wrong-password-123").status_code == 200
    locked = post_login(client, "county_luoyuan", "wrong-password-123")
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "账号已临时锁定" in body
    assert "连续 5 次登录失败" in body
    attempt = AccessAttempt.objects.get(username="county_luoyuan")
    assert attempt.failures_since_start == limit
    assert LoginEvent.objects.filter(kind=LoginEventKind.LOCKED_OUT, username="county_luoyuan").count() == 1
    assert LoginEvent.objects.filter(kind=LoginEventKind.FAILED, username="county_luoyuan").count() == limit
    # Even the right password is refused while locked; another account is not affected.
    assert post_login(client, "county_luoyuan").status_code == 429
    assert "_auth_user_id" not in client.session
    assert post_login(client, "county_jinjiang").status_code == 302


@pytest.mark.django_db
def test_admin_login_goes_through_the_site_login_and_axes(client, personas):
    # The admin has no login form of its own: credentials posted there are not even looked at.
    sent = post_login(client, "admin", "wrong-password-123", url="/admin/login/")
    assert (sent.status_code, sent.url) == (302, "/accounts/login/?next=/admin/")
    assert not LoginEvent.objects.exists()
    url = "/accounts/login/?next=/admin/"
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        post_login(client, "admin", "wrong-password-123", url=url)
    response = post_login(client, "admin", "wrong-password-123", url=url)
    assert response.status_code == 429
    assert LoginEvent.objects.filter(
        kind=LoginEventKind.LOCKED_OUT, username="admin", path="/accounts/login/"
    )


@pytest.mark.django_db
def test_admin_login_comes_back_to_the_admin(client, personas):
    response = client.post("/accounts/login/", {"username": "admin", "password": PASSWORD, "next": "/admin/"})
    assert (response.status_code, response.url) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_logout_is_post_only_and_recorded(client, personas):
    post_login(client, "body_kjt")
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert LoginEvent.objects.filter(kind=LoginEventKind.LOGOUT, username="body_kjt").exists()


@pytest.mark.django_db
def test_session_expires_and_is_not_persistent():
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


@pytest.mark.django_db
def test_password_change_requires_the_old_password(login, inst_dhu):
    user = inst_dhu
    client = login(user)
    new = "Another-Strong-Pass-2026"
    wrong = client.post(
        "/accounts/password/change/",
        {"old_password": "not-my-password", "new_password1": new, "new_password2": new},
    )
    assert wrong.status_code == 200
    assert "旧密码" in wrong.content.decode()
    weak = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert "密码太短" in weak.content.decode()
    ok = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert ok.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    assert AccountEvent.objects.filter(target=user, action=AccountAction.PASSWORD_CHANGED).exists()


@pytest.mark.django_db
def test_common_password_is_rejected(login, inst_dhu):
    client = login(inst_dhu)
    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": "password1234", "new_password2": "password1234"},
    )
    assert response.status_code == 200
    assert "太常见" in response.content.decode()


@pytest.mark.django_db
def test_password_reset_by_email(client, personas):
    response = client.post("/accounts/password/reset/", {"email": "firm_demo@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["firm_demo@example.com"]
    assert "重置" in message.subject
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new = "Fresh-Reset-Pass-2026"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert post_login(client, "firm_demo", new).status_code == 302
    assert AccountEvent.objects.filter(
        action=AccountAction.PASSWORD_RESET, target_username="firm_demo"
    ).exists()


@pytest.mark.django_db
def test_password_reset_for_unknown_email_sends_nothing_and_reveals_nothing(client, personas):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []
