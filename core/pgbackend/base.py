"""PostgreSQL as django-prometheus wraps it (query counts, errors and latency in /metrics), with `timestamptz`
values read faster.

Django reads a `timestamptz` with psycopg's pure-Python text loader (its `BaseTzLoader` subclasses it, so
psycopg's C loader is never used) and then labels the result with the connection's time zone: ~7 µs a value, an
order list page reads about 70 of them. `FastTzLoader` gives the same `datetime` by `datetime.fromisoformat` in
the common case — the session time zone is UTC and the value comes as ISO text ending in `+00`, which is how
Django's connections (TIME_ZONE of the connection UTC, DateStyle ISO) send every value; anything else (another
session time zone, another DateStyle, infinity, BC dates, years past 9999) takes Django's own way.
"""

from datetime import UTC, datetime
from functools import lru_cache

from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from django_prometheus.db.backends.postgresql import base
from psycopg import adapt

UTC_SUFFIX = b"+00"


class FastTzLoader(BaseTzLoader):
    """Django's `timestamptz` loader (the value in the connection's time zone, labelled with `timezone`), with
    `+00` ISO text parsed by `datetime.fromisoformat` when psycopg would return it in UTC."""

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self._fast = self._timezone is UTC  # psycopg's zone of the session (psycopg._tz): UTC

    def load(self, data):
        if self._fast:
            raw = bytes(data)
            if raw.endswith(UTC_SUFFIX):
                try:
                    value = datetime.fromisoformat(raw.decode("ascii"))  # tzinfo: datetime.UTC
                except ValueError:
                    pass
                else:
                    return value if self.timezone is UTC else value.replace(tzinfo=self.timezone)
        return super().load(data)


@lru_cache
def fast_adapters(template: adapt.AdaptersMap, tz) -> adapt.AdaptersMap:
    """Django's adapters (`get_adapters_template`) with `FastTzLoader` for `timestamptz` in zone `tz`."""
    context = adapt.AdaptersMap(template)
    context.register_loader("timestamptz", type("SpecificFastTzLoader", (FastTzLoader,), {"timezone": tz}))
    return context


class DatabaseWrapper(base.DatabaseWrapper):
    """django-prometheus' PostgreSQL wrapper, reading `timestamptz` with `FastTzLoader`."""

    def get_connection_params(self):
        conn_params = super().get_connection_params()
        if conn_params.get("context") is not None:
            conn_params["context"] = fast_adapters(conn_params["context"], self.timezone)
        return conn_params
