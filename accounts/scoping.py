"""The one access-control mechanism: a user's Scope, and querysets that filter by it.

Every page, API endpoint and export gets its objects through `Model.objects.visible_to(user)` (read) or
`editable_by(user)` (write); an object outside the user's scope is then simply not found (HTTP 404).
Models opt in by using a queryset that subclasses `ScopedQuerySet` and describing, as Q objects, what a
scope may see and edit. Anything not described is denied.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.db.models.query import MAX_GET_RESULTS
from django.http import Http404

from accounts import orgcache
from accounts.choices import ApprovalState, OrgKind
from core import compiledsql

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Scope:
    """Who a user acts for, reduced to the ids that querysets filter on."""

    user_id: int | None = None
    active: bool = False
    is_admin: bool = False
    org_id: int | None = None
    org_kind: str = ""
    is_manager: bool = False
    county_id: int | None = None
    prefecture_id: int | None = None
    body_id: int | None = None
    handles: frozenset[str] = frozenset()
    provider_kind: str = ""

    @property
    def is_county(self) -> bool:
        """Acts for a county government."""
        return self.org_kind == OrgKind.COUNTY and self.county_id is not None

    @property
    def is_city(self) -> bool:
        """Acts for a prefecture city (read-only over its counties)."""
        return self.org_kind == OrgKind.CITY and self.prefecture_id is not None

    @property
    def is_body(self) -> bool:
        """Acts for a provincial body."""
        return self.org_kind == OrgKind.BODY and self.body_id is not None

    @property
    def is_provider(self) -> bool:
        """Acts for a resource provider (institution, bank, fund, talent organizer, enterprise)."""
        return self.org_kind == OrgKind.PROVIDER

    @classmethod
    def for_user(cls, user) -> "Scope":
        """The user's scope, cached on the user object for the request."""
        cached = getattr(user, "_scope_cache", None)
        if cached is not None:
            return cached
        scope = cls._build(user)
        if user is not None and getattr(user, "pk", None):
            user._scope_cache = scope
        return scope

    @classmethod
    def _build(cls, user) -> "Scope":
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return cls()
        org = None if user.is_superuser else _organization(user)
        if user.is_superuser or (org is not None and org.kind == OrgKind.PLATFORM and user.is_staff):
            return cls(
                user_id=user.pk,
                active=True,
                is_admin=True,
                org_id=user.organization_id,
                org_kind=OrgKind.PLATFORM,
            )
        if org is None or not org.is_active or user.approval_state != ApprovalState.APPROVED:
            return cls(user_id=user.pk)
        county_prefecture = org.county.prefecture_id if org.county_id else None
        body = org.provincial_body
        return cls(
            user_id=user.pk,
            active=True,
            org_id=org.pk,
            org_kind=org.kind,
            is_manager=user.role == "manager",
            county_id=org.county_id,
            prefecture_id=org.prefecture_id or county_prefecture,
            body_id=org.provincial_body_id,
            handles=frozenset(body.handles_list) if body else frozenset(),
            provider_kind=org.provider_kind,
        )


def _organization(user):
    """The user's organization with its county and provincial body (what a scope reads) in one query, or from
    the shared cache (accounts.orgcache), kept on the user for the rest of the request (the page header shows
    its name); None without one."""
    if not user.organization_id:
        return None
    field = user._meta.get_field("organization")  # user may be a lazy object (request.user)
    if not field.is_cached(user):
        org_id, manager = user.organization_id, field.related_model._base_manager

        def load():
            return manager.select_related("county", "provincial_body").filter(pk=org_id).first()

        org = orgcache.organizations.get_or_load(org_id, load) if orgcache.enabled() else load()
        if org is None:  # deleted under a live session: no scope (the foreign key is left as it is)
            return None
        field.set_cached_value(user, org)
    return user.organization


# The visibility Q of each (queryset class, scope), for the classes whose visibility_q is pure (see below).
_VISIBILITY: dict[tuple, Q] = {}


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows what each scope may see and edit; subclasses describe it as Q objects."""

    # True when visibility_q is a function of the scope alone (no query run, no clock, no setting): its Q
    # (with the querysets inside it) is then built once per process and scope and reused, as filtering never
    # changes a Q nor a queryset used as a subquery (they are cloned). A provider's order visibility took
    # ~0.4 ms to build on every list page.
    visibility_is_pure = False

    def visibility_q(self, scope: Scope) -> Q:
        """Rows a (non-admin, active) scope may see. Default: none."""
        return NOTHING

    def editability_q(self, scope: Scope) -> Q:
        """Rows a (non-admin, active) scope may change. Default: none."""
        return NOTHING

    def visible_to(self, user):
        """Rows the user may see; administrators see everything, anonymous and unapproved users nothing."""
        scope = Scope.for_user(user)
        if scope.is_admin:
            return self.all()
        if not scope.active:
            return self.none()
        return self.filter(self._visibility(scope))

    def _visibility(self, scope: Scope) -> Q:
        """visibility_q(scope), remembered when it is pure."""
        if not self.visibility_is_pure:
            return self.visibility_q(scope)
        key = (type(self), scope)
        q = _VISIBILITY.get(key)
        if q is None:
            if len(_VISIBILITY) >= 4096:  # bounded: a few entries per signed-in user
                _VISIBILITY.clear()
            q = _VISIBILITY[key] = self.visibility_q(scope)
        return q

    def editable_by(self, user):
        """Rows the user may change."""
        scope = Scope.for_user(user)
        if scope.is_admin:
            return self.all()
        if not scope.active:
            return self.none()
        return self.filter(self.editability_q(scope))


def get_visible_or_404(queryset, user, *, key=None, **lookup):
    """Fetch one object the user may see, or raise 404 (never 403: outsiders learn nothing). The object's
    `visible_scope` says in which scope it was found visible (a service of the same request need not ask again).

    With a `key` naming `queryset` (the same key for the same queryset, whatever the looked-up id) and a single
    integer lookup, the query `queryset.visible_to(user).get(**lookup)` builds is compiled once per scope and
    connection and run again for the next id (`core.compiledsql`): the same SQL, rows and objects, without
    building and compiling it on every request (`visibility_q` depends on the scope only)."""
    if key is None or len(lookup) != 1 or not isinstance(next(iter(lookup.values())), int):
        try:
            found = queryset.visible_to(user).get(**lookup)
        except queryset.model.DoesNotExist as exc:
            raise Http404 from exc
        found.visible_scope = Scope.for_user(user)
        return found
    ((field, value),) = lookup.items()

    def build(marker):
        # what QuerySet.get() runs: no ordering, at most MAX_GET_RESULTS rows
        qs = queryset.visible_to(user).filter(**{field: marker})
        if qs.query.can_filter() and not qs.query.distinct_fields:
            qs = qs.order_by()
        qs.query.set_limits(high=MAX_GET_RESULTS)
        return qs

    scope_key = ("visible", key, queryset.model._meta.label, Scope.for_user(user), field)
    found = compiledsql.fetch(scope_key, build, value, using=queryset.db)
    if not found:
        raise Http404
    if len(found) > 1:
        raise queryset.model.MultipleObjectsReturned(
            f"get() returned more than one {queryset.model._meta.object_name} -- it returned {len(found)}!"
        )
    found[0].visible_scope = scope_key[3]
    return found[0]
