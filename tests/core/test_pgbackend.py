"""core.pgbackend: timestamptz values read by FastTzLoader are exactly what Django's own loader returns."""

from datetime import UTC, timedelta, timezone

import pytest
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from psycopg.adapt import AdaptersMap
from psycopg.postgres import adapters, types

from core.pgbackend.base import FastTzLoader, fast_adapters

OID = types["timestamptz"].oid

VALUES = [
    b"2026-12-06 18:54:50.535094+00",
    b"2026-12-06 18:54:50.5+00",
    b"2026-12-06 18:54:50.12+00",
    b"2026-12-06 18:54:50.000001+00",
    b"2026-12-06 18:54:50+00",
    b"2026-01-01 00:00:00+00",
    b"0001-01-01 00:00:00+00",
    b"9999-12-31 23:59:59.999999+00",
    b"2026-12-06 18:54:50.535094+08",  # another session zone: Django's way
    b"2026-12-06 18:54:50-03:30",
    b"2026-12-06 18:54:50+05:30:15",
]
BAD = [b"infinity", b"-infinity", b"0044-03-15 00:00:00+00 BC", b"10000-01-01 00:00:00+00", b"garbage+00"]


def _loaders(tz):
    fast = type("Fast", (FastTzLoader,), {"timezone": tz})(OID)
    django = type("Django", (BaseTzLoader,), {"timezone": tz})(OID)
    return fast, django


@pytest.mark.parametrize("tz", [UTC, timezone(timedelta(hours=8)), None])
@pytest.mark.parametrize("value", VALUES)
def test_same_datetime_as_django(tz, value):
    fast, django = _loaders(tz)
    for data in (value, memoryview(value), bytearray(value)):
        got, expected = fast.load(data), django.load(data)
        assert got == expected and got.tzinfo is expected.tzinfo
        assert (got.year, got.hour, got.minute, got.second, got.microsecond) == (
            expected.year,
            expected.hour,
            expected.minute,
            expected.second,
            expected.microsecond,
        )


@pytest.mark.parametrize("value", BAD)
def test_same_error_as_django(value):
    fast, django = _loaders(UTC)
    with pytest.raises(Exception) as expected:
        django.load(value)
    with pytest.raises(type(expected.value)):
        fast.load(value)


def test_fast_only_when_the_session_zone_is_utc():
    fast, django = _loaders(UTC)
    assert fast._fast
    other = timezone(timedelta(hours=8))  # psycopg's zone of a session in another time zone
    fast._timezone = django._timezone = other
    fast._fast = other is UTC  # as __init__ decides it from psycopg's zone of the session
    assert not fast._fast
    assert fast.load(b"2026-12-06 18:54:50+00") == django.load(b"2026-12-06 18:54:50+00")
    assert django.load(b"2026-12-06 18:54:50+00").hour == 2  # the session's wall clock, labelled UTC


def test_adapters_register_the_fast_loader_for_the_zone():
    template = AdaptersMap(adapters)
    context = fast_adapters(template, UTC)
    loader = context.get_loader(OID, 0)
    assert issubclass(loader, FastTzLoader) and loader.timezone is UTC
    assert fast_adapters(template, UTC) is context
    assert template.get_loader(OID, 0) is not loader  # Django's template itself is left as it was
