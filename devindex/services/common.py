"""What the index services share: scope, the event log, recompute requests and year checks."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from accounts.scoping import Scope
from core import dispatch
from devindex.choices import (
    ReportState,
)
from devindex.models import (
    Computation,
    IndexEvent,
    IndicatorReport,
)
from devindex.workflow import DevIndexError

MIN_YEAR, MAX_YEAR = 2000, 2100

INDUSTRIAL_STRONG_SIZE = 10


def _scope(user) -> Scope:
    return Scope.for_user(user)


def log(action: str, *, by=None, report=None, county=None, year=None, note="", from_state="", to_state=""):
    """Append one entry to the index log (call inside the caller's transaction)."""
    return IndexEvent.objects.create(
        action=action,
        report=report,
        county=county or (report.county if report else None),
        year=year or (report.year if report else None),
        actor=by,
        note=note,
        from_state=from_state,
        to_state=to_state,
    )


def request_recompute(years: Iterable[int]) -> None:
    """Recompute these years once the current transaction commits (Celery; in-process without a broker)."""
    for year in sorted(set(years)):
        dispatch.enqueue_on_commit("devindex.tasks.recompute_index", year)


def check_year(year) -> int:
    """A year the index can hold, or DevIndexError."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not MIN_YEAR <= year <= MAX_YEAR:
        message = _("年度应在 %(a)s–%(b)s 之间。") % {"a": MIN_YEAR, "b": MAX_YEAR}
        raise DevIndexError(message, errors={"year": message})
    return year


def years_with_data() -> list[int]:
    """Years that have approved values or an earlier computation."""
    years = set(IndicatorReport.objects.filter(state=ReportState.APPROVED).values_list("year", flat=True))
    years |= set(Computation.objects.values_list("year", flat=True))
    return sorted(years)
