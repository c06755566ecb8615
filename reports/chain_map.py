"""产业链图谱 of one chain type: links upstream → downstream, firms per link and county, open orders, and the
cross-county supplier links proposed by matching. Catalog counts are public; order and match counts come from
the user's visible orders."""

from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from chains.models import ChainLink, ChainType, County, CountyChain, Enterprise
from matchmaking.choices import OrderKind, OrderState, ResourceType
from matchmaking.models import Order
from reports.queries import OPEN_STATES, read_rows, tally_rows
from reports.tables import Column, Table


@dataclass
class ChainMap:
    """产业链图谱 of one chain type: links upstream → downstream, firms per link and county, open orders,
    and the cross-county supplier links proposed by matching."""

    chain_type: ChainType
    county: County | None
    links: list[ChainLink]
    counties: list[County]
    firms: Table
    orders: Table
    flows: Table

    def charts(self) -> dict:
        """Chart payloads by key, for `json_script`."""
        return {t.key: t.chart_payload() for t in (self.firms, self.orders, self.flows)}


def order_counts(orders, cells=None) -> list[dict]:
    """Open and all orders per (link, county): from the summary cells when given (`tally_rows`, narrowed
    to the chain type and county like `orders`), else counted over the orders."""
    if cells is None:
        return list(
            orders.order_by()
            .values("link_id", "county_id")
            .annotate(open=Count("pk", filter=Q(state__in=OPEN_STATES)), total=Count("pk"))
        )
    rows = (
        cells.order_by()
        .values("link_id", "county_id")
        .annotate(open=Sum("orders", filter=Q(state__in=OPEN_STATES)), total=Sum("orders"))
    )
    return [{**r, "open": r["open"] or 0, "total": r["total"] or 0} for r in rows if r["total"]]


def cross_county_flows(orders) -> list[dict]:
    """Enterprise matches of `orders` whose firm lies in another county, per (order county, firm county, firm
    link): matches and distinct orders. The orders are joined to their matches, and those to the firms, once
    (a hash join on the firm id: a match names its resource by type and id, with no foreign key), not
    looked up row by row."""
    matches = (
        orders.filter(matches__resource_type=ResourceType.ENTERPRISE)
        .order_by()
        .values("pk", "county_id", "matches__resource_id")
    )

    def grouped(sql: str, quote) -> str:
        # Only the ORM-built query and quoted names are put together here; no value is formatted in.
        firms = quote(Enterprise._meta.db_table)
        return (
            f"SELECT m.{quote('county_id')} AS src, f.county_id AS dst, f.link_id AS link, "  # noqa: S608
            f"COUNT(*) AS n, COUNT(DISTINCT m.{quote('pk')}) AS orders FROM ({sql}) m "
            f"JOIN {firms} f ON f.id = m.{quote('matches__resource_id')} "
            f"WHERE f.county_id IS NOT NULL AND f.county_id <> m.{quote('county_id')} "
            "GROUP BY 1, 2, 3"
        )

    _columns, rows = read_rows(matches, grouped)
    return [
        {"order__county_id": src, "firm_county": dst, "firm_link": link, "n": n, "orders": distinct}
        for src, dst, link, n, distinct in rows
    ]


def build_chain_map(user, chain_type: ChainType, county: County | None = None) -> ChainMap:
    """The chain map; catalog counts are public, order and match counts come from the user's visible orders."""
    links = list(ChainLink.objects.filter(chain_type=chain_type).order_by("position"))
    firm_counts = list(
        Enterprise.objects.filter(chain_type=chain_type, county__isnull=False)
        .order_by()
        .values("link_id", "county_id")
        .annotate(n=Count("pk"))
    )
    orders = (
        Order.objects.visible_to(user).exclude(state=OrderState.DRAFT).filter(chain__chain_type=chain_type)
    )
    if county is not None:
        orders = orders.filter(county=county)
    cells = tally_rows(user)
    if cells is not None:
        cells = cells.filter(chain__chain_type=chain_type, **({"county": county} if county else {}))
    link_counts = order_counts(orders, cells)
    flow_rows = cross_county_flows(orders.filter(kind=OrderKind.INDUSTRY))
    county_ids = (
        {r["county_id"] for r in firm_counts}
        | {r["county_id"] for r in link_counts}
        | {r["order__county_id"] for r in flow_rows}
        | {r["firm_county"] for r in flow_rows}
        | set(CountyChain.objects.filter(chain_type=chain_type).values_list("county_id", flat=True))
    )
    if county is not None:
        county_ids.add(county.pk)
    counties = list(County.objects.filter(pk__in=county_ids).select_related("prefecture"))
    names = {c.pk: c.name for c in counties}
    link_names = {link.pk: link.name for link in links}

    firm_grid = {(r["link_id"], r["county_id"]): r["n"] for r in firm_counts}
    # Columns: counties with at least one firm on the chain, and the county whose map this is.
    with_firms = {r["county_id"] for r in firm_counts} | ({county.pk} if county else set())
    firm_counties = [c for c in counties if c.pk in with_firms]
    firm_rows = []
    for link in links:
        row = {"link": link.name, "stage": str(link.get_stage_display())}
        for c in firm_counties:
            row[f"c{c.pk}"] = firm_grid.get((link.pk, c.pk), 0)
        row["total"] = sum(row[f"c{c.pk}"] for c in firm_counties)
        firm_rows.append(row)
    firms = Table(
        "firms",
        str(_("各环节链上企业（按县域）")),
        [
            Column("link", str(_("环节")), "text"),
            Column("stage", str(_("位置")), "text"),
            *[Column(f"c{c.pk}", c.name) for c in firm_counties],
            Column("total", str(_("合计"))),
        ],
        firm_rows,
        chart={
            "type": "heatmap",
            "x": [c.name for c in firm_counties],
            "xkeys": [f"c{c.pk}" for c in firm_counties],
            "y": [link.name for link in links],
            "highlight": county.name if county else "",
        },
    )

    per_link: dict = {}
    for r in link_counts:
        entry = per_link.setdefault(r["link_id"], {"open": 0, "total": 0, "counties": set()})
        entry["open"] += r["open"]
        entry["total"] += r["total"]
        if r["open"]:
            entry["counties"].add(names.get(r["county_id"], ""))
    order_rows = []
    for key, name in [*((link.pk, link.name) for link in links), (None, str(_("未指定环节")))]:
        entry = per_link.get(key, {"open": 0, "total": 0, "counties": set()})
        if key is None and not entry["total"]:
            continue
        order_rows.append(
            {
                "link": name,
                "open": entry["open"],
                "total": entry["total"],
                "counties": "、".join(sorted(n for n in entry["counties"] if n)),
            }
        )
    orders_table = Table(
        "link_orders",
        str(_("各环节需求（进行中的需求在哪里）")),
        [
            Column("link", str(_("环节")), "text"),
            Column("open", str(_("进行中需求"))),
            Column("total", str(_("需求总数"))),
            Column("counties", str(_("有进行中需求的县域")), "text"),
        ],
        order_rows,
        chart={"type": "bar", "category": "link", "series": ["open", "total"]},
    )

    flows: dict = {}
    for r in flow_rows:
        key = (r["order__county_id"], r["firm_county"])
        entry = flows.setdefault(key, {"n": 0, "orders": 0, "links": set()})
        entry["n"] += r["n"]
        entry["orders"] += r["orders"]
        if r["firm_link"] in link_names:
            entry["links"].add(link_names[r["firm_link"]])
    flow_list = [
        {
            "source": names.get(src, ""),
            "target": names.get(dst, ""),
            "matches": v["n"],
            "orders": v["orders"],
            "links": "、".join(sorted(v["links"])),
        }
        for (src, dst), v in flows.items()
    ]
    flow_list.sort(key=lambda r: (-r["matches"], r["source"], r["target"]))
    flows_table = Table(
        "flows",
        str(_("跨县域配套推荐（需求县域 → 配套企业所在县域）")),
        [
            Column("source", str(_("需求县域")), "text"),
            Column("target", str(_("配套企业所在县域")), "text"),
            Column("matches", str(_("推荐企业次数"))),
            Column("orders", str(_("涉及需求数"))),
            Column("links", str(_("涉及环节")), "text"),
        ],
        flow_list,
        chart={"type": "sankey", "source": "source", "target": "target", "value": "matches"},
        note=str(_("来自产业配套类需求的自动匹配结果：需求县域与被推荐企业所在县域不同的组合。")),
    )
    return ChainMap(chain_type, county, links, counties, firms, orders_table, flows_table)
