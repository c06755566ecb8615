"""The read policy of orders: what a viewer may read of an order it can see, decided once for every surface.

`Order.objects.visible_to(user)` decides whether an order exists for a user at all (404 outside). For an order
the user can see, this module decides which of its parts the user may read; the order page, the API
serializers, the XLSX exports, the in-app notifications and the e-mails all ask it and nothing else:

| part of the order                   | government viewers¹           | provider                                         |
| ----------------------------------- | ----------------------------- | ------------------------------------------------ |
| public fields, its own attachments  | yes                           | yes                                              |
| contact name and phone              | yes                           | only after its own response was accepted         |
| state note (return/reject/close)    | yes                           | no                                               |
| handler (承办人), routing           | yes                           | no                                               |
| timeline                            | every entry, notes and people | state changes after publication, no notes/people |
| matches                             | yes                           | never (only its own match, on 为我匹配的需求)    |
| responses and their attachments     | all                           | its own only (with the county's note on it)      |
| invitations                         | the list                      | its own (that it was invited, and the note)      |
| outcome (type, amount, partner …)   | yes                           | only the provider whose response was accepted    |
| notification / e-mail text          | the event's note              | only what is addressed to it (see `note_for`)    |

¹ the placing county, its prefecture city, the bodies the order is routed to, the taking body, administrators.

`for_order(user, order)` costs no query for government viewers and one for a provider; `for_orders(user,
orders)` decides a whole page of orders in at most one query; `for_order_with_responses` decides and reads the
responses in one query.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from types import SimpleNamespace

from django.db import connections, router
from django.db.models import F, Q, QuerySet

from accounts.models import User
from accounts.scoping import Scope
from core import compiledsql
from matchmaking.choices import EventKind, NotificationKind, OrderState, ProposalState
from matchmaking.models import (
    HIDDEN_FROM_PROVIDERS,
    Attachment,
    Invitation,
    Match,
    Order,
    OrderEvent,
    Outcome,
    Proposal,
    choice_label,
)

# Notifications whose text is written to the receiving provider itself (its invitation, the county's decision
# on its own response, its own match): a provider reads their note. Every other note is the government's.
ADDRESSED_TO_PROVIDER = frozenset(
    {NotificationKind.INVITED, NotificationKind.ACCEPTED, NotificationKind.DECLINED, NotificationKind.MATCHED}
)


def _scope(viewer) -> Scope:
    return viewer if isinstance(viewer, Scope) else Scope.for_user(viewer)


def is_government(scope: Scope) -> bool:
    """County, city, provincial body or administrator: those who read the whole order they can see."""
    return scope.active and (scope.is_admin or scope.is_county or scope.is_city or scope.is_body)


@dataclass(frozen=True)
class TimelineEntry:
    """One timeline row as a viewer may read it (note, actor and organization blank when not allowed)."""

    id: int
    kind: str
    kind_label: str
    from_state: str
    from_state_label: str
    to_state: str
    to_state_label: str
    is_transition: bool
    note: str
    actor_name: str | None
    organization_name: str | None
    by_system: bool
    created_at: datetime


class _EventRow:
    """An `OrderEvent` read as a values() row, answering what `OrderReadPolicy.entry` reads of an event (the
    model's own properties compute the note, the transition flag and the actor's name)."""

    FIELDS = ("pk", "kind", "from_state", "to_state", "note", "note_message", "actor_id", "created_at")
    PEOPLE = (
        "actor__last_name",
        "actor__first_name",
        "actor__username",
        "organization_id",
        "organization__name",
    )

    def __init__(self, row: dict):
        self.__dict__.update(row)
        self.actor = self.organization = None
        if row.get("actor__username") is not None:
            self.actor = SimpleNamespace(
                last_name=row["actor__last_name"],
                first_name=row["actor__first_name"],
                username=row["actor__username"],
            )
            self.actor.display_name = User.display_name.fget(self.actor)
        if row.get("organization_id") is not None:
            self.organization = SimpleNamespace(name=row["organization__name"])

    display_note = OrderEvent.display_note
    is_transition = OrderEvent.is_transition


@dataclass(frozen=True)
class OrderReadPolicy:
    """What one viewer may read of one order it can see."""

    order_id: int
    full: bool  # a government viewer or an administrator: the whole order
    org_id: int | None = None  # the viewer's provider organization (None for everyone else)
    accepted: bool = False  # that provider's own response on this order was accepted

    # --- what may be read ---------------------------------------------------------------------

    @property
    def contact(self) -> bool:
        """Contact name and phone."""
        return self.full or self.accepted

    @property
    def matches(self) -> bool:
        """The order's ranked matches."""
        return self.full

    @property
    def outcome(self) -> bool:
        """The outcome of a resolved order (type, amount, partner, date, summary)."""
        return self.full or self.accepted

    @property
    def internal(self) -> bool:
        """Government-only parts: the state note, the handler, the routing, the invitation list, the
        notes and people of the timeline, every provider's responses."""
        return self.full

    # --- the rows a viewer may read -----------------------------------------------------------

    def responses(self, queryset: QuerySet | None = None) -> QuerySet:
        """The order's responses: all of them for government viewers, a provider's own only."""
        qs = (Proposal.objects.all() if queryset is None else queryset).filter(order_id=self.order_id)
        if self.full:
            return qs
        return qs.filter(provider_org_id=self.org_id) if self.org_id else qs.none()

    def attachments(self, queryset: QuerySet | None = None) -> QuerySet:
        """The order's own attachments (everyone who sees the order) and those of the readable responses."""
        qs = (Attachment.objects.all() if queryset is None else queryset).filter(order_id=self.order_id)
        if self.full:
            return qs
        own = Q(response__provider_org_id=self.org_id) if self.org_id else Q(pk__in=[])
        return qs.filter(Q(response__isnull=True) | own)

    def invitations(self, queryset: QuerySet | None = None) -> QuerySet:
        """Government viewers: every invitation; a provider: its own (that it was invited)."""
        qs = (Invitation.objects.all() if queryset is None else queryset).filter(order_id=self.order_id)
        if self.full:
            return qs
        return qs.filter(provider_org_id=self.org_id) if self.org_id else qs.none()

    def match_rows(self, queryset: QuerySet | None = None) -> QuerySet:
        """The order's matches, or none."""
        qs = (Match.objects.all() if queryset is None else queryset).filter(order_id=self.order_id)
        return qs if self.matches else qs.none()

    def events(self, queryset: QuerySet | None = None) -> QuerySet:
        """Timeline rows: all for government viewers; for a provider the state changes into states it may
        see (from publication on), never comments, uploads, invitations, responses or decisions."""
        qs = (OrderEvent.objects.all() if queryset is None else queryset).filter(order_id=self.order_id)
        if self.full:
            return qs
        return (
            qs.exclude(to_state="")
            .exclude(from_state=F("to_state"))
            .exclude(to_state__in=HIDDEN_FROM_PROVIDERS)
        )

    def rows(self, key: str, build: Callable[["OrderReadPolicy"], QuerySet]) -> list:
        """`list(build(self))`, the query compiled once per connection for `key` and this kind of viewer
        (`core.compiledsql`): `build` makes the queryset from the policy it is given (one of another order of
        the same viewer when compiling), and from nothing else."""
        return compiledsql.fetch(
            ("order rows", key, self.full, self.org_id),
            lambda order_id: build(replace(self, order_id=order_id)),
            self.order_id,
        )

    def entry(self, event: OrderEvent) -> TimelineEntry:
        """One timeline row as this viewer may read it."""
        actor = event.actor if self.full else None
        organization = event.organization if self.full else None
        return TimelineEntry(
            id=event.pk,
            kind=event.kind,
            kind_label=choice_label(EventKind, event.kind),
            from_state=event.from_state,
            from_state_label=choice_label(OrderState, event.from_state) if event.from_state else "",
            to_state=event.to_state,
            to_state_label=choice_label(OrderState, event.to_state) if event.to_state else "",
            is_transition=event.is_transition,
            note=event.display_note if self.full else "",
            actor_name=actor.display_name if actor is not None else None,
            organization_name=organization.name if organization is not None else None,
            by_system=self.full and event.actor_id is None,
            created_at=event.created_at,
        )

    def timeline(self, queryset: QuerySet | None = None) -> list[TimelineEntry]:
        """The readable timeline, oldest first, in one query (rows, not model instances: see `_EventRow`);
        without a `queryset`, compiled once (`rows`)."""
        fields = [*_EventRow.FIELDS, *(_EventRow.PEOPLE if self.full else ())]
        if queryset is None:
            rows = self.rows(
                "timeline", lambda read: read.events().order_by("created_at", "pk").values(*fields)
            )
        else:
            rows = self.events(queryset).order_by("created_at", "pk").values(*fields)
        return [self.entry(_EventRow(row)) for row in rows]

    def outcome_of(self, order) -> Outcome | None:
        """The order's outcome when this viewer may read it (None otherwise or when there is none)."""
        if not self.outcome:
            return None
        return getattr(order, "outcome", None)

    def handler_of(self, order):
        """The handler (a person of the taking body) for government viewers, else None."""
        return order.handler if self.full and order.handler_id else None

    def state_note_of(self, order) -> str:
        """The return / reject / close reason for government viewers, else ''."""
        return order.state_note if self.full else ""

    # --- notifications -----------------------------------------------------------------------

    def note_for(self, kind: str, note: str) -> str:
        """The text a notification (and its e-mail) of `kind` about this order may carry to this viewer.

        Government viewers get the event's note. A provider gets only text addressed to it — its invitation,
        the county's decision on its own response, its own match — and the outcome summary when its own
        response was accepted; never a comment, a moderation or close reason, a withdrawal reason or another
        party's outcome.
        """
        if self.full or kind in ADDRESSED_TO_PROVIDER:
            return note
        if kind == NotificationKind.RESOLVED and self.outcome:
            return note
        return ""


# --- building policies -----------------------------------------------------------------------------


def _accepted_order_ids(org_id: int, order_ids: Iterable[int] | None = None) -> set[int]:
    """Orders on which this provider's response was accepted (among `order_ids` when given).

    The query the ORM would build (`Proposal.objects.filter(provider_org_id=…, state=ACCEPTED,
    order_id__in=…).values_list("order_id")`, no ORDER BY), written out: building and compiling it cost more CPU
    than the rest of a page's read policy. No query when `order_ids` is empty, as the ORM's `__in=[]`."""
    params = [int(org_id), ProposalState.ACCEPTED.value]
    if order_ids is not None:
        ids = [int(pk) for pk in order_ids]
        if not ids:
            return set()
        params += ids
    db = connections[router.db_for_read(Proposal)]
    meta, quote = Proposal._meta, db.ops.quote_name
    order, provider, state = (
        quote(meta.get_field(name).column) for name in ("order", "provider_org", "state")
    )
    sql = f"SELECT {order} FROM {quote(meta.db_table)} WHERE {provider} = %s AND {state} = %s"  # noqa: S608 - names from the model
    if order_ids is not None:
        sql += f" AND {order} IN ({', '.join(['%s'] * (len(params) - 2))})"
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def for_order(viewer, order) -> OrderReadPolicy:
    """What `viewer` (a user or a Scope) may read of `order`, which it can see: no query for government
    viewers, one for a provider."""
    scope = _scope(viewer)
    if is_government(scope):
        return OrderReadPolicy(order.pk, full=True)
    if scope.active and scope.is_provider and scope.org_id:
        accepted = order.pk in _accepted_order_ids(scope.org_id, [order.pk])
        return OrderReadPolicy(order.pk, full=False, org_id=scope.org_id, accepted=accepted)
    return OrderReadPolicy(order.pk, full=False)


def for_order_with_responses(
    viewer, order, queryset: QuerySet | None = None, key: str | None = None
) -> tuple[OrderReadPolicy, list]:
    """`for_order` and the responses it lets the viewer read (a list, from `queryset`), in one query: a
    provider's acceptance is read off its own responses on the order. A `key` naming `queryset` lets the query
    be compiled once (`OrderReadPolicy.rows`)."""
    scope = _scope(viewer)

    def responses(read):
        if key is None:
            return list(read.responses(queryset))
        return read.rows(key, lambda other: other.responses(queryset))

    if is_government(scope):
        read = OrderReadPolicy(order.pk, full=True)
        return read, responses(read)
    if scope.active and scope.is_provider and scope.org_id:
        read = OrderReadPolicy(order.pk, full=False, org_id=scope.org_id)
        own = responses(read)
        accepted = any(r.state == ProposalState.ACCEPTED for r in own)
        return replace(read, accepted=accepted), own
    return OrderReadPolicy(order.pk, full=False), []


def for_orders(viewer, orders: Iterable) -> dict[int, OrderReadPolicy]:
    """`for_order` for a page of orders (or order ids), in at most one query."""
    ids = [getattr(o, "pk", o) for o in orders]
    scope = _scope(viewer)
    if is_government(scope):
        return {pk: OrderReadPolicy(pk, full=True) for pk in ids}
    if scope.active and scope.is_provider and scope.org_id:
        accepted = _accepted_order_ids(scope.org_id, ids) if ids else set()
        return {pk: OrderReadPolicy(pk, False, scope.org_id, pk in accepted) for pk in ids}
    return {pk: OrderReadPolicy(pk, full=False) for pk in ids}


def outcome_order_ids(viewer) -> set[int] | None:
    """Orders whose outcome the viewer may read, among all it can see: None means every one (government
    viewers); a provider gets the orders where its response was accepted (one query)."""
    scope = _scope(viewer)
    if is_government(scope):
        return None
    if scope.active and scope.is_provider and scope.org_id:
        return _accepted_order_ids(scope.org_id)
    return set()


def own_matches(user) -> QuerySet:
    """A provider user's own matches (its catalog entries' scores and reasons) on the orders it can see —
    what it reads instead of the orders' match lists; nothing for anyone else."""
    scope = Scope.for_user(user)
    if not (scope.active and scope.is_provider and scope.org_id):
        return Match.objects.none()
    visible = Order.objects.visible_to(user).values("pk")
    return Match.objects.filter(provider_org_id=scope.org_id, order__in=visible)


def for_recipients(users: Iterable, order) -> dict[int, OrderReadPolicy]:
    """`for_order` for each recipient of a notification about `order` (user id → policy), in at most one
    query (the users should come with their organization, county and body selected)."""
    users = list(users)
    scopes = {user.pk: Scope.for_user(user) for user in users}
    provider_orgs = {s.org_id for s in scopes.values() if s.active and s.is_provider and s.org_id}
    accepted_orgs: set[int] = set()
    if provider_orgs:
        accepted_orgs = set(
            Proposal.objects.filter(
                order_id=order.pk, state=ProposalState.ACCEPTED, provider_org_id__in=provider_orgs
            ).values_list("provider_org_id", flat=True)
        )
    policies = {}
    for pk, scope in scopes.items():
        if is_government(scope):
            policies[pk] = OrderReadPolicy(order.pk, full=True)
        elif scope.active and scope.is_provider and scope.org_id:
            policies[pk] = OrderReadPolicy(order.pk, False, scope.org_id, scope.org_id in accepted_orgs)
        else:
            policies[pk] = OrderReadPolicy(order.pk, full=False)
    return policies
