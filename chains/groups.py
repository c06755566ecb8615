"""Named groups of counties that other apps define and lists can filter by (e.g. the development index's
tiers 工业强县 / 产业特色县 / 试点县). An app registers its groups in `AppConfig.ready()`; the order lists and
dashboards offer every registered group as a filter without importing the app that defines it."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CountyGroup:
    """A named group: `counties()` returns the ids of its member counties now."""

    code: str
    label: object  # a (lazy) translated string
    counties: Callable[[], Iterable[int]]


_GROUPS: dict[str, CountyGroup] = {}


def register(code: str, label, counties: Callable[[], Iterable[int]]) -> None:
    """Add (or replace) a group."""
    _GROUPS[code] = CountyGroup(code, label, counties)


def choices() -> list[tuple[str, str]]:
    """(code, label) of every registered group, in registration order."""
    return [(g.code, str(g.label)) for g in _GROUPS.values()]


def county_ids(code: str) -> set[int] | None:
    """Member county ids of a group (None for an unknown code)."""
    group = _GROUPS.get(code)
    return None if group is None else set(group.counties())
