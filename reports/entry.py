"""What the dashboards' entry page (数据看板) links to: the chain types' maps, the county's own chains and the
prefectures' dashboards, as rows read from queries compiled once per connection (`core.compiledsql`), each URL
reversed once per process.

The page listed some thirty chain types with a `{% url %}` each, and read them (and the county's chains) as model
instances through the ORM: together more CPU than the rest of the page. The URL of a chain map or a city
dashboard depends only on its code or id, the script prefix and the URL conf, which are the memo's key; the
template escapes it as `{% url %}` does.
"""

from chains.models import ChainType, CountyChain, Prefecture
from core import compiledsql
from core.fixedurls import reverse_once


def chain_types() -> list[tuple[str, str]]:
    """(chain map URL, name) of every chain type, in their order."""
    rows = compiledsql.fetch(
        "dashboards entry chain types",
        lambda _none: ChainType.objects.order_by("position", "code").values("code", "name"),
        (),
    )
    return [(reverse_once("dashboards:chain_map", row["code"]), row["name"]) for row in rows]


def own_chains(county_id: int) -> list[tuple[str, int, str]]:
    """(chain map URL, county id, name) of a county's chains, in their order (CountyChain's)."""
    rows = compiledsql.fetch(
        "dashboards entry own chains",
        lambda pk: CountyChain.objects.filter(county_id=pk).values("county_id", "name", "chain_type__code"),
        county_id,
    )
    return [
        (reverse_once("dashboards:chain_map", row["chain_type__code"]), row["county_id"], row["name"])
        for row in rows
    ]


def prefectures() -> list[tuple[str, str]]:
    """(city dashboard URL, name) of every prefecture, in their order."""
    rows = compiledsql.fetch(
        "dashboards entry prefectures", lambda _none: Prefecture.objects.values("pk", "name"), ()
    )
    return [(reverse_once("dashboards:city", row["pk"]), row["name"]) for row in rows]
