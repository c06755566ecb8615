"""Who may open which dashboard: the province, a prefecture city or a county (outside scope, views answer 404)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accounts.scoping import Scope
from chains.models import County, Prefecture

PROVINCE, CITY, COUNTY = "province", "city", "county"


def may_see_province(user) -> bool:
    """Provincial bodies and platform administrators."""
    scope = Scope.for_user(user)
    return scope.is_admin or scope.is_body


def may_see_prefecture(user, prefecture_id: int) -> bool:
    """Bodies and administrators: any prefecture; a city: its own."""
    scope = Scope.for_user(user)
    return scope.is_admin or scope.is_body or (scope.is_city and scope.prefecture_id == prefecture_id)


def may_see_county(user, county: County) -> bool:
    """Bodies and administrators: any county; a city: its counties; a county: itself."""
    scope = Scope.for_user(user)
    if scope.is_admin or scope.is_body:
        return True
    if scope.is_city:
        return scope.prefecture_id == county.prefecture_id
    return scope.is_county and scope.county_id == county.pk


def home_dashboard(user) -> tuple[str, int | None] | None:
    """The dashboard a user lands on: (level, id) or None when the user has none."""
    scope = Scope.for_user(user)
    if scope.is_admin or scope.is_body:
        return PROVINCE, None
    if scope.is_city:
        return CITY, scope.prefecture_id
    if scope.is_county:
        return COUNTY, scope.county_id
    return None


def report_prefectures(user):
    """The prefectures a user's reports cover: all of them for bodies and administrators, else the user's own."""
    prefectures = Prefecture.objects.all()
    scope = Scope.for_user(user)
    if not scope.is_admin and not scope.is_body:
        prefectures = prefectures.filter(pk=scope.prefecture_id)
    return prefectures


def scope_key(user) -> str:
    """What a user's visible orders depend on: users with the same key see exactly the same orders."""
    scope = Scope.for_user(user)
    if scope.is_admin:
        return "admin"
    if not scope.active:
        return "none"
    if scope.is_county:
        return f"county:{scope.county_id}"
    if scope.is_city:
        return f"city:{scope.prefecture_id}"
    if scope.is_body:
        return f"body:{scope.body_id}:{','.join(sorted(scope.handles))}"
    return f"org:{scope.org_kind}:{scope.org_id}"


@dataclass(frozen=True)
class Level:
    """Which dashboard: the province, one prefecture city, or one county."""

    kind: str
    prefecture: Prefecture | None = None
    county: County | None = None

    @property
    def title(self) -> str:
        """Heading of the dashboard."""
        if self.kind == COUNTY:
            return f"{self.county.name} · {_('县域对接看板')}"
        if self.kind == CITY:
            return f"{self.prefecture.name} · {_('设区市对接看板')}"
        return str(_("全省四链对接看板"))
