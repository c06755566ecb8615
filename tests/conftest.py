"""Shared fixtures: reference data loaded once per session, and the fixed personas per role."""

import itertools

import pytest
from django.core import serializers

from chains.loaders import load_reference_data


def pytest_configure(config):
    """Fast password hashing in tests (the production hasher is deliberately slow)."""
    import tempfile

    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Uploaded files and exports written by tests go to a throwaway folder, never the project's media/.
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="silian-test-media-")


PASSWORD = "Demo-Password-2026!"


def load_baseline():
    """Reference data and the personas: what every test may rely on being in the database."""
    from devtools.personas import ensure_personas

    load_reference_data()
    ensure_personas(password_factory=lambda: PASSWORD)


_BASELINE: dict[str, str] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped reference data once into the test database (tests run in rolled-back transactions)."""

    with django_db_blocker.unblock():
        load_baseline()
        # A serialized copy restores the baseline after a transactional test far faster than reloading it.
        _BASELINE["data"] = serializers.serialize(
            "json", itertools.chain(*(m.objects.all() for m in _baseline_models()))
        )


def _baseline_models():
    """The models the baseline fills, parents before children."""
    from accounts.models import Organization, User
    from chains import models as c

    return [
        c.Prefecture, c.County, c.ChainType, c.ChainLink, c.CountyChain, c.Institution, c.Enterprise, c.Fund,
        c.FinancialProduct, c.TalentResource, c.ProvincialBody, Organization, User,
    ]  # fmt: skip


def restore_baseline():
    """Put the baseline rows back into an emptied database (same primary keys as at the session start)."""
    from django.db import transaction

    if "data" not in _BASELINE:
        load_baseline()
        return
    with transaction.atomic():
        for deserialized in serializers.deserialize("json", _BASELINE["data"]):
            deserialized.save()


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test empties every table when it ends: put the baseline back for the tests after it."""
    yield
    if not _is_transactional(item) or nextitem is None:
        return  # after the last test the test database is already gone
    from pytest_django.plugin import blocking_manager_key

    from accounts.models import User
    from chains.models import County

    with item.config.stash[blocking_manager_key].unblock():
        if not (County.objects.exists() and User.objects.filter(username="admin").exists()):
            restore_baseline()


@pytest.fixture
def reference(db):
    """Access to the loaded reference data (83 counties, 34 chain types, 60 chains, the catalog)."""
    from chains import models

    return models


@pytest.fixture(scope="session")
def personas(django_db_setup, django_db_blocker):
    """The fixed demo personas (same as `seed_demo`), created once per session: username → User."""
    from accounts.models import User
    from devtools.personas import ensure_personas

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
body_gxt = _persona(
    "body_gxt"
)  # 省工信厅: confirms county key chains (also takes innovation and industry orders)
bank_cib = _persona("bank_cib")
inst_dhu = _persona("inst_dhu")
firm_demo = _persona("firm_demo")
platform_admin = _persona("admin")


def _extra_persona(username, org_name, org_kind, last_name, first_name, **org_fields):
    """A persona the read-policy tests need beyond the demo ones (same shape: an approved manager)."""
    from accounts.choices import MemberRole
    from accounts.models import Organization, User

    org, _created = Organization.objects.get_or_create(
        name=org_name, defaults={"kind": org_kind, **org_fields}
    )
    user, _created = User.objects.get_or_create(
        username=username,
        defaults={
            "email": f"{username}@example.com",
            "organization": org,
            "role": MemberRole.MANAGER,
            "last_name": last_name,
            "first_name": first_name,
        },
    )
    return User.objects.select_related("organization").get(pk=user.pk)


@pytest.fixture
def city_fuzhou(db, personas):
    """A second prefecture city (福州市): outside 泉州's counties."""
    from accounts.choices import OrgKind
    from chains.models import Prefecture

    return _extra_persona(
        "city_fuzhou",
        "福州市人民政府",
        OrgKind.CITY,
        "林",
        "榕",
        prefecture=Prefecture.objects.get(name="福州市"),
    )


@pytest.fixture
def bank_other(db, personas):
    """A provider that neither responded to nor was invited to any order (another bank)."""
    from accounts.choices import OrgKind, ProviderKind

    return _extra_persona(
        "bank_other", "海峡测试银行福建分行", OrgKind.PROVIDER, "郑", "海", provider_kind=ProviderKind.BANK
    )


@pytest.fixture
def login(client):
    """Log a persona's client in: `login(user)` returns the test client."""

    def do_login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return do_login


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: rate-limit counters and dashboard caches never leak between tests."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in Simplified Chinese, whatever language an earlier test (or request) activated."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
