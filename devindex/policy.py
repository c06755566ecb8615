"""What a given user may read and do with the index, used by pages, the API, exports and the dashboard panels
alike. Which rows exist for a user is `visible_to(user)` on the models; this module decides the rest.

| viewer | results | county page, values | report notes (return reasons) | actions |
| --- | --- | --- | --- | --- |
| county | computed and published | every county (approved values; its own in every state) | its own | fill in and submit its own values; place orders from its weak dimensions |
| prefecture city | computed and published | every county (approved; its counties' submitted ones) | its counties' | approve or return its counties' reports |
| provincial body | computed and published | every county (approved values) | none | — |
| provider | published only | none (404) | none | — |
| administrator | all | all | all | everything, incl. imports, method versions and tiers |
"""

from accounts.scoping import Scope
from devindex.choices import ResultSource


def _scope(user) -> Scope:
    return Scope.for_user(user)


def is_government(user) -> bool:
    """County, prefecture city or provincial body (or an administrator)."""
    scope = _scope(user)
    return scope.is_admin or scope.is_county or scope.is_city or scope.is_body


def sources_for(user) -> list[str]:
    """Result sources the user reads: government users and administrators both, providers the published."""
    if is_government(user):
        return [ResultSource.COMPUTED, ResultSource.PUBLISHED]
    if _scope(user).is_provider:
        return [ResultSource.PUBLISHED]
    return []


def may_see_index(user) -> bool:
    """Whether the ranking page exists for the user at all."""
    return bool(sources_for(user))


def may_see_county(user) -> bool:
    """County pages (scores, values, strengths and weaknesses): government users and administrators."""
    return is_government(user)


def may_fill(user) -> bool:
    """Fill in values: county users (their own county)."""
    return _scope(user).is_county


def may_review(user) -> bool:
    """Review reports: prefecture cities (their counties) and administrators."""
    scope = _scope(user)
    return scope.is_city or scope.is_admin


def may_manage(user) -> bool:
    """Imports, method versions and tiers: administrators."""
    return _scope(user).is_admin


def may_read_state_note(user, report) -> bool:
    """The return reason: the county itself, its prefecture city and administrators."""
    scope = _scope(user)
    if scope.is_admin:
        return True
    if scope.is_county:
        return scope.county_id == report.county_id
    if scope.is_city:
        return scope.prefecture_id == report.county.prefecture_id
    return False


def may_place_order(user, county) -> bool:
    """A prefilled order from a weak dimension: only the county itself places orders."""
    scope = _scope(user)
    return scope.is_county and scope.county_id == county.pk


def may_see_dashboard(user, kind: str, prefecture=None, county=None) -> bool:
    """The dashboards' own rule: province — bodies and administrators; a city — those and the city itself;
    a county — those, its city and the county itself."""
    scope = _scope(user)
    if scope.is_admin or scope.is_body:
        return True
    if kind == "city":
        return scope.is_city and prefecture is not None and scope.prefecture_id == prefecture.pk
    if kind == "county":
        if scope.is_city:
            return county is not None and scope.prefecture_id == county.prefecture_id
        return scope.is_county and county is not None and scope.county_id == county.pk
    return False


def own_county_id(user) -> int | None:
    """The county a county user acts for (None for everyone else)."""
    scope = _scope(user)
    return scope.county_id if scope.is_county else None
