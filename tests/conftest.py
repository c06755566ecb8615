"""Shared fixtures: reference data loaded once per session, and the fixed personas per role."""

import pytest

from chains.loaders import load_reference_data


def pytest_configure(config):
    """Fast password hashing in tests (the production hasher is deliberately slow)."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped reference data once into the test database (tests run in rolled-back transactions)."""
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture
def reference(db):
    """Access to the loaded reference data (83 counties, 33 chain types, 59 chains, the catalog)."""
    from chains import models

    return models


PASSWORD = "Demo-Password-2026!"


@pytest.fixture(scope="session")
def personas(django_db_setup, django_db_blocker):
    """The fixed demo personas (same as `seed_demo`), created once per session: username → User."""
    from accounts.demo import ensure_personas
    from accounts.models import User

    with django_db_blocker.unblock():
        ensure_personas(password_factory=lambda: PASSWORD)
        return {u.username: u for u in User.objects.select_related("organization")}


def _persona(name):
    @pytest.fixture
    def fixture(db, personas):
        from accounts.models import User

        return User.objects.select_related("organization").get(username=name)

    fixture.__doc__ = f"The persona `{name}`."
    return fixture


county_jinjiang = _persona("county_jinjiang")
county_luoyuan = _persona("county_luoyuan")
city_quanzhou = _persona("city_quanzhou")
body_kjt = _persona("body_kjt")
body_jrb = _persona("body_jrb")
bank_cib = _persona("bank_cib")
inst_dhu = _persona("inst_dhu")
firm_demo = _persona("firm_demo")
platform_admin = _persona("admin")


@pytest.fixture
def login(client):
    """Log a persona's client in: `login(user)` returns the test client."""

    def do_login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return do_login
