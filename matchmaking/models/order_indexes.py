"""The order table's indexes for the dashboards and the lists at scale, and the expression they index."""

from django.db import models
from django.db.models import Q

from matchmaking.choices import OrderState


class HoursBetween(models.Func):
    """Whole hours from `start` to `end`, rounded half up: the dashboards' medians read orders in this order,
    from the two indexes below (the expression here and in the query compile alike)."""

    output_field = models.FloatField()
    arity = 2
    arg_joiner = " - "
    template = "floor(date_part('epoch', (%(expressions)s)) / 3600.0 + 0.5)"

    def __init__(self, end: str, start: str, **extra):
        super().__init__(models.F(end), models.F(start), **extra)

    def as_sqlite(self, compiler, connection, **extra):
        end, start = (compiler.compile(e) for e in self.source_expressions)
        return f"round((julianday({end[0]}) - julianday({start[0]})) * 24)", (*end[1], *start[1])


CLAIM_TIME = Q(published_at__isnull=False, claimed_at__isnull=False)
RESOLVE_TIME = Q(state=OrderState.RESOLVED, published_at__isnull=False, finished_at__isnull=False)
MEDIAN_INCLUDE = [
    "id",  # a provincial body's scope tests it against its routed orders: an index-only scan needs it
    "county",
    "chain",
    "kind",
    "state",
    "claimed_by_body",
    "published_at",
    "claimed_at",
    "finished_at",
]


DASHBOARD_INDEXES = [
    # Providers' lists count every open, public order (a large share of all orders): from this
    # index alone, with the "invited / responded" probes needing only the id.
    models.Index(fields=["state", "visibility"], include=["id"], name="order_state_visibility"),
    # A provincial body's lists count "claimed by the body, or routed to it and of a kind it handles": an
    # OR with a subquery that no index condition can take, so the count reads every candidate row. This
    # index holds all it tests (the claiming body first, then the id for the routes, the state and the
    # kind), so that count is an index-only scan: its "claimed" list 280 -> 6 ms, its whole list about
    # halved (500,000 orders).
    models.Index(
        fields=["claimed_by_body"], include=["id", "state", "kind"], name="order_claimed_by_body_cover"
    ),
    # Dashboards: the median claim and resolution times, read as the middle one or two rows of these
    # ordered indexes (their count known from the summary table) instead of sorting every order.
    models.Index(
        HoursBetween("claimed_at", "published_at"),
        include=MEDIAN_INCLUDE,
        condition=CLAIM_TIME,
        name="order_claim_hours",
    ),
    models.Index(
        HoursBetween("finished_at", "published_at"),
        include=MEDIAN_INCLUDE,
        condition=RESOLVE_TIME,
        name="order_resolve_hours",
    ),
    # Dashboards: the published orders not yet claimed whose claim is not yet due (a handful) are
    # counted live beside the summary table (matchmaking.tally), which cannot know the clock.
    models.Index(
        fields=["claim_due_at"],
        include=["id", "county", "chain", "kind", "state", "claimed_by_body"],
        condition=Q(published_at__isnull=False, claimed_at__isnull=True),
        name="order_unclaimed_due",
    ),
]
