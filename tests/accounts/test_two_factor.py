"""Two-factor sign-in (TOTP, django-otp): enrolment from the profile, the login code step, backup codes,
disabling, the API token's `otp`, the admin, and REQUIRE_2FA for administrators and provincial bodies."""

import re
import time

import pytest
from django.core import mail
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.choices import AccountAction, LoginEventKind
from accounts.models import AccountEvent, LoginEvent
from tests.accounts.helpers import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
VERIFY = "/accounts/login/verify/"
SETTINGS = "/accounts/two-factor/"
BACKUP = ["alpha234", "bravo567"]


@pytest.fixture(autouse=True)
def no_code_throttle(settings):
    """django-otp slows a device down after a wrong code; tests that follow a wrong code with a right one
    switch that off (the throttle itself is django-otp's, tested there)."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def code(device, steps=0):
    """The authenticator app's code for `device`, `steps` time steps from now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(user):
    """A confirmed authenticator device and two backup codes for the user."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    for token in BACKUP:
        StaticToken.objects.create(device=static, token=token)
    return device


def password_step(client, username, next_url=""):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


# --- enrolment from the profile --------------------------------------------------------------------


def test_enrolment_with_a_locally_drawn_qr_code(login, inst_dhu):
    client = login(inst_dhu)
    profile = client.get("/accounts/profile/").content.decode()
    assert SETTINGS in profile and "两步验证" in profile
    page = client.get(SETTINGS).content.decode()
    assert "启用两步验证" in page and "<svg" not in page
    assert client.post(SETTINGS, {"action": "start"}).status_code == 302
    page = client.get(SETTINGS).content.decode()
    device = TOTPDevice.objects.get(user=inst_dhu, confirmed=False)
    qr = re.search(r'<div[^>]*id="totp-qr"[^>]*>(.*?)</div>', page, re.S).group(1)
    assert qr.startswith("<svg") and "<path" in qr
    assert "http" not in qr.replace("http://www.w3.org/2000/svg", "")  # drawn here, no external image
    secret = re.search(r'id="totp-secret">([^<]+)<', page).group(1).replace(" ", "")
    assert secret in device.config_url and "issuer=" in device.config_url
    # A wrong code does not enable it.
    wrong = client.post(
        SETTINGS, {"action": "confirm", "code": "000000" if code(device) != "000000" else "111111"}
    )
    assert "验证码不正确" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=inst_dhu, confirmed=True).exists()
    done = client.post(SETTINGS, {"action": "confirm", "code": code(device)})
    body = done.content.decode()
    assert done.status_code == 200 and "两步验证已启用" in body
    codes = re.findall(r'<li class="col">([a-z2-7]{8})</li>', body)
    assert len(codes) == 10
    assert set(StaticToken.objects.filter(device__user=inst_dhu).values_list("token", flat=True)) == set(
        codes
    )
    assert AccountEvent.objects.filter(target=inst_dhu, action=AccountAction.TWO_FACTOR_ENABLED).exists()
    # This session has passed the second factor; the profile says it is on.
    assert client.session.get("otp_device_id") == device.persistent_id
    assert "已启用" in client.get("/accounts/profile/").content.decode()


# --- the login code step ---------------------------------------------------------------------------


def test_password_alone_does_not_log_a_two_factor_user_in(client, inst_dhu):
    device = enrol(inst_dhu)
    step = password_step(client, "inst_dhu", next_url="/orders/")
    assert (step.status_code, step.url) == (302, VERIFY)
    assert "_auth_user_id" not in client.session
    assert client.get("/accounts/profile/").status_code == 302  # still anonymous
    page = client.get(VERIFY).content.decode()
    assert "inst_dhu" in page and "验证码" in page
    wrong = client.post(VERIFY, {"code": "12345x"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    assert LoginEvent.objects.filter(kind=LoginEventKind.OTP_FAILED, username="inst_dhu").count() == 1
    done = client.post(VERIFY, {"code": code(device)})
    assert (done.status_code, done.url) == (302, "/orders/")
    assert client.session["_auth_user_id"] == str(inst_dhu.pk)
    assert client.session["otp_device_id"] == device.persistent_id
    assert LoginEvent.objects.filter(kind=LoginEventKind.LOGIN, username="inst_dhu").count() == 1


def test_a_code_is_used_once(client, inst_dhu):
    device = enrol(inst_dhu)
    used = code(device)
    password_step(client, "inst_dhu")
    assert client.post(VERIFY, {"code": used}).status_code == 302
    client.post("/accounts/logout/")
    password_step(client, "inst_dhu")
    assert "验证码不正确" in client.post(VERIFY, {"code": used}).content.decode()


def test_a_backup_code_works_once(client, inst_dhu):
    enrol(inst_dhu)
    password_step(client, "inst_dhu")
    assert client.post(VERIFY, {"code": "ALPHA-234"}).status_code == 302  # typed loosely
    client.post("/accounts/logout/")
    password_step(client, "inst_dhu")
    assert client.post(VERIFY, {"code": "alpha234"}).status_code == 200
    assert list(StaticToken.objects.filter(device__user=inst_dhu).values_list("token", flat=True)) == [
        "bravo567"
    ]


def test_too_many_wrong_codes_need_the_password_again(client, inst_dhu):
    device = enrol(inst_dhu)
    password_step(client, "inst_dhu")
    for _ in range(4):
        client.post(VERIFY, {"code": "000000"})
    last = client.post(VERIFY, {"code": "000000"})
    assert (last.status_code, last.url) == (302, LOGIN)
    assert client.post(VERIFY, {"code": code(device)}).url == LOGIN
    assert "_auth_user_id" not in client.session


def test_the_code_step_expires(client, inst_dhu, settings):
    device = enrol(inst_dhu)
    password_step(client, "inst_dhu")
    session = client.session
    session["accounts_pending_login"]["at"] -= settings.OTP_LOGIN_SECONDS + 1
    session.save()
    assert client.post(VERIFY, {"code": code(device)}).url == LOGIN
    assert "_auth_user_id" not in client.session


def test_disabling_needs_a_code(login, inst_dhu, django_capture_on_commit_callbacks):
    device = enrol(inst_dhu)
    client = login(inst_dhu)
    refused = client.post(
        SETTINGS, {"action": "disable", "code": "999999" if code(device) != "999999" else "1"}
    )
    assert "验证码不正确" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=inst_dhu).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(SETTINGS, {"action": "disable", "code": "bravo567"}).status_code == 302
    # The owner is told by e-mail (someone holding the session cannot switch it off unnoticed).
    assert mail.outbox[-1].to == ["inst_dhu@example.com"]
    assert "停用两步验证" in mail.outbox[-1].subject
    assert not TOTPDevice.objects.filter(user=inst_dhu).exists()
    assert not StaticDevice.objects.filter(user=inst_dhu).exists()
    assert AccountEvent.objects.filter(target=inst_dhu, action=AccountAction.TWO_FACTOR_DISABLED).exists()


def test_new_backup_codes_replace_the_old_ones(login, inst_dhu):
    device = enrol(inst_dhu)
    client = login(inst_dhu)
    body = client.post(SETTINGS, {"action": "backup_codes", "code": code(device)}).content.decode()
    fresh = re.findall(r'<li class="col">([a-z2-7]{8})</li>', body)
    assert len(fresh) == 10 and not set(fresh) & set(BACKUP)
    assert set(StaticToken.objects.filter(device__user=inst_dhu).values_list("token", flat=True)) == set(
        fresh
    )


# --- the API token ---------------------------------------------------------------------------------


def test_the_token_endpoint_requires_otp_when_enabled(inst_dhu):
    device = enrol(inst_dhu)
    api = APIClient()
    url = "/api/v1/auth/token/"
    missing = api.post(url, {"username": "inst_dhu", "password": PASSWORD}, format="json")
    assert missing.status_code == 400
    assert missing.json()["code"] == "otp_required" and "otp" in missing.json()["fields"]
    wrong = api.post(url, {"username": "inst_dhu", "password": PASSWORD, "otp": "000000"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "otp_invalid"
    ok = api.post(url, {"username": "inst_dhu", "password": PASSWORD, "otp": code(device)}, format="json")
    assert ok.status_code == 200 and set(ok.json()) == {"token", "expiry"}
    # A wrong password with a right code still fails as a wrong password (and counts toward the lockout).
    bad = api.post(
        url, {"username": "inst_dhu", "password": "x-wrong-123", "otp": code(device, 1)}, format="json"
    )
    assert bad.json()["code"] == "invalid_credentials"


# --- the Django admin ------------------------------------------------------------------------------


def test_the_admin_asks_for_the_second_factor(client, platform_admin):
    device = enrol(platform_admin)
    password_step(client, "admin", next_url="/admin/")
    # Not logged in until the code: the admin sends to the site login.
    assert client.get("/admin/").url == "/admin/login/?next=/admin/"
    assert client.get("/admin/login/?next=/admin/").url == "/accounts/login/?next=/admin/"
    done = client.post(VERIFY, {"code": code(device)})
    assert done.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_an_admin_session_without_the_second_factor_is_sent_to_the_code_step(login, platform_admin):
    device = enrol(platform_admin)
    client = login(platform_admin)  # e.g. logged in before the device was added
    assert client.get("/admin/accounts/user/").status_code == 302
    sent = client.get("/admin/login/?next=/admin/accounts/user/")
    assert sent.url == "/accounts/login/verify/?next=/admin/accounts/user/"
    done = client.post(VERIFY, {"code": code(device), "next": "/admin/accounts/user/"})
    assert done.url == "/admin/accounts/user/"
    assert client.get("/admin/accounts/user/").status_code == 200


def test_without_require_2fa_the_demo_personas_need_no_code(client, personas, settings):
    assert settings.REQUIRE_2FA is False
    for username in ("body_kjt", "admin"):
        client.logout()
        assert password_step(client, username).url == "/orders/workbench/"
        assert client.get("/orders/").status_code == 200
    assert client.get("/admin/").status_code == 200


# --- REQUIRE_2FA -----------------------------------------------------------------------------------


@pytest.fixture
def required(settings):
    settings.REQUIRE_2FA = True


@pytest.mark.parametrize("username", ["admin", "body_kjt"])
def test_required_users_are_sent_to_enrolment_and_kept_there(client, personas, required, username):
    assert password_step(client, username).status_code == 302
    for path in ("/", "/orders/", "/accounts/profile/", "/dashboards/"):
        response = client.get(path)
        assert (response.status_code, response.url) == (302, SETTINGS), path
    api = client.get("/api/v1/orders/")
    assert api.status_code == 403 and api.json()["code"] == "two_factor_required"
    page = client.get(SETTINGS).content.decode()
    assert "必须启用两步验证" in page
    # Once enrolled (this session verified by the confirmation), everything opens again.
    client.post(SETTINGS, {"action": "start"})
    device = TOTPDevice.objects.get(user=personas[username], confirmed=False)
    assert client.post(SETTINGS, {"action": "confirm", "code": code(device)}).status_code == 200
    assert client.get("/orders/").status_code == 200
    assert client.get("/api/v1/orders/").status_code == 200
    # … and it cannot be switched off again.
    refused = client.post(SETTINGS, {"action": "disable", "code": code(device, 1)})
    assert "不能停用" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=personas[username], confirmed=True).exists()


def test_required_users_get_no_token_before_enrolment(personas, required):
    api = APIClient()
    refused = api.post("/api/v1/auth/token/", {"username": "body_kjt", "password": PASSWORD}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "two_factor_setup_required"
    # Others are not concerned.
    ok = api.post("/api/v1/auth/token/", {"username": "county_jinjiang", "password": PASSWORD}, format="json")
    assert ok.status_code == 200


def test_other_roles_are_not_required(client, personas, required):
    for username in ("county_jinjiang", "city_quanzhou", "inst_dhu"):
        client.logout()
        password_step(client, username)
        assert client.get("/orders/").status_code == 200, username


def test_a_required_user_with_a_device_passes_the_code_step(client, body_kjt, required):
    device = enrol(body_kjt)
    assert password_step(client, "body_kjt", next_url="/orders/").url == VERIFY
    assert client.post(VERIFY, {"code": code(device)}).url == "/orders/"
    assert client.get("/orders/").status_code == 200
