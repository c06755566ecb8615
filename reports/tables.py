"""The output shapes: a report section is a `Table` (drawn as a chart and a table, written as an XLSX sheet)."""

from dataclasses import dataclass, field
from datetime import datetime

from reports.access import Level


@dataclass
class Column:
    """A table column: key into the row dicts, Chinese header, and kind for formatting."""

    key: str
    label: str
    kind: str = "int"  # int | text | percent | days | yuan


@dataclass
class Table:
    """One dashboard section: a titled table and the chart drawn from it (see static/js/dashboards.js)."""

    key: str
    title: str
    columns: list[Column]
    rows: list[dict]
    chart: dict = field(default_factory=dict)
    note: str = ""

    def chart_payload(self) -> dict:
        """What the page's JavaScript needs to draw this section's chart."""
        return {"key": self.key, "title": self.title, **self.chart}


@dataclass
class Dashboard:
    """Everything one dashboard page shows."""

    level: Level
    totals: dict
    tables: list[Table]
    computed_at: datetime | None = None

    def table(self, key: str) -> Table:
        """The section with this key."""
        return next(t for t in self.tables if t.key == key)

    def charts(self) -> dict:
        """Chart payloads by key, for `json_script`."""
        return {t.key: t.chart_payload() for t in self.tables if t.chart}


def percent(part: int | None, whole: int | None) -> float | None:
    """part / whole as a percentage with one decimal, None when there is nothing to divide."""
    if not whole:
        return None
    return round(100.0 * (part or 0) / whole, 1)
