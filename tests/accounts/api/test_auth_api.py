"""API tokens (django-rest-knox): the client contract, expiry, logout, and revocation by password change,
password reset and deactivation; the OpenAPI schema describes them without warnings."""

import datetime
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts import services
from accounts.choices import LoginEventKind
from accounts.models import LoginEvent, User
from tests.accounts.helpers import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
PREFECTURES = "/api/v1/prefectures/"


def obtain(username="county_jinjiang", password=PASSWORD, **extra):
    response = APIClient().post(TOKEN, {"username": username, "password": password, **extra}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def client_with(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_token_contract_and_expiry(personas, settings):
    before = timezone.now()
    body = obtain()
    assert set(body) == {"token", "expiry"}
    expiry = parse_datetime(body["expiry"])
    ttl = datetime.timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    assert settings.API_TOKEN_TTL_HOURS == 10
    assert before + ttl <= expiry <= timezone.now() + ttl
    assert client_with(body["token"]).get(PREFECTURES).status_code == 200
    # Stored hashed only: the token itself is nowhere in the table.
    assert not AuthToken.objects.filter(digest=body["token"]).exists()
    assert LoginEvent.objects.filter(kind=LoginEventKind.LOGIN, username="county_jinjiang").count() == 1


def test_an_expired_token_is_refused(personas):
    token = obtain()["token"]
    AuthToken.objects.update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    response = client_with(token).get(PREFECTURES)
    assert response.status_code == 401
    assert not AuthToken.objects.exists()


def test_logout_revokes_the_presented_token_only(personas):
    first, second = obtain()["token"], obtain()["token"]
    response = client_with(first).post("/api/v1/auth/logout/")
    assert response.status_code == 204
    assert client_with(first).get(PREFECTURES).status_code == 401
    assert client_with(second).get(PREFECTURES).status_code == 200
    assert LoginEvent.objects.filter(kind=LoginEventKind.LOGOUT, username="county_jinjiang").exists()


def test_logout_all_revokes_every_token_of_the_user(personas):
    mine = [obtain()["token"] for _ in range(3)]
    other = obtain("body_kjt")["token"]
    assert client_with(mine[0]).post("/api/v1/auth/logout-all/").status_code == 204
    assert all(client_with(t).get(PREFECTURES).status_code == 401 for t in mine)
    assert client_with(other).get(PREFECTURES).status_code == 200


def test_logout_needs_a_token(personas):
    response = APIClient().post("/api/v1/auth/logout/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_old_tokens_beyond_the_per_user_limit_are_revoked(personas, settings):
    settings.API_TOKENS_PER_USER = 3
    tokens = [obtain()["token"] for _ in range(4)]
    assert AuthToken.objects.filter(user=personas["county_jinjiang"]).count() == 3
    assert client_with(tokens[0]).get(PREFECTURES).status_code == 401
    assert client_with(tokens[-1]).get(PREFECTURES).status_code == 200


def test_password_change_revokes_tokens(personas, client):
    token = obtain("inst_dhu")["token"]
    client.post("/accounts/login/", {"username": "inst_dhu", "password": PASSWORD})
    new = "Another-Strong-Pass-2026"
    changed = client.post(
        "/accounts/password/change/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert changed.status_code == 302
    assert client_with(token).get(PREFECTURES).status_code == 401
    assert client_with(obtain("inst_dhu", new)["token"]).get(PREFECTURES).status_code == 200


def test_password_reset_revokes_tokens(personas, client):
    token = obtain("firm_demo")["token"]
    client.post("/accounts/password/reset/", {"email": "firm_demo@example.com"})
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    new = "Fresh-Reset-Pass-2026"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert client_with(token).get(PREFECTURES).status_code == 401


def test_admin_set_password_revokes_tokens(personas, login):
    token = obtain("bank_cib")["token"]
    user = personas["bank_cib"]
    new = "Admin-Chosen-Pass-2026"
    response = login(personas["admin"]).post(
        f"/admin/accounts/user/{user.pk}/password/", {"password1": new, "password2": new}
    )
    assert response.status_code == 302
    assert client_with(token).get(PREFECTURES).status_code == 401


def test_deactivation_revokes_tokens_and_reactivation_does_not_bring_them_back(personas):
    manager = personas["county_jinjiang"]
    member = User.objects.create_user(
        "jj_clerk", email="clerk@example.com", password=PASSWORD, organization=manager.organization
    )
    token = obtain("jj_clerk")["token"]
    assert client_with(token).get(PREFECTURES).status_code == 200
    services.deactivate_member(member, by=manager)
    assert client_with(token).get(PREFECTURES).status_code == 401
    services.reactivate_member(member, by=manager)
    assert client_with(token).get(PREFECTURES).status_code == 401
    assert client_with(obtain("jj_clerk")["token"]).get(PREFECTURES).status_code == 200


def test_a_hash_upgrade_at_login_is_not_a_password_change(personas, settings):
    token = obtain("body_jrb")["token"]
    # A login that rehashes the password (e.g. after a hasher upgrade) keeps the user's other tokens.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]
    obtain("body_jrb")
    assert User.objects.get(username="body_jrb").password.startswith("pbkdf2_sha256$")
    assert client_with(token).get(PREFECTURES).status_code == 200


def test_expired_tokens_are_purged(personas):
    from accounts.tasks import purge_expired_api_tokens

    obtain()
    obtain("body_kjt")
    AuthToken.objects.filter(user__username="body_kjt").update(
        expiry=timezone.now() - datetime.timedelta(hours=1)
    )
    assert purge_expired_api_tokens() == 1
    assert list(AuthToken.objects.values_list("user__username", flat=True)) == ["county_jinjiang"]


def test_the_old_never_expiring_token_table_is_gone():
    assert "authtoken_token" not in connection.introspection.table_names()


def test_schema_describes_token_auth_without_warnings(tmp_path, client):
    # --fail-on-warn: any warning or error of drf-spectacular while generating fails the command.
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    scheme = schema["components"]["securitySchemes"]["knoxApiToken"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert '"Token"' in scheme["description"]
    token_op = schema["paths"]["/api/v1/auth/token/"]["post"]
    response = token_op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert set(schema["components"]["schemas"][response]["properties"]) == {"token", "expiry"}
    request = token_op["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert "otp" in schema["components"]["schemas"][request]["properties"]
    assert "/api/v1/auth/logout/" in schema["paths"] and "/api/v1/auth/logout-all/" in schema["paths"]
    assert {"knoxApiToken": []} in schema["paths"]["/api/v1/orders/"]["get"]["security"]
