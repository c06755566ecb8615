"""The chain registry on the dashboards: 重点产业链 n 条（已认定 m 条）, counties without a confirmed chain, and the
firms the area's orders served and financed (per county on the province and city boards, per chain on a
county's). Counts come from chains.stats and matchmaking.beneficiaries; orders are those the user may see."""

from chains.stats import chain_tally
from matchmaking.beneficiaries import firms_served
from matchmaking.choices import OrderState
from matchmaking.models import Order
from reports.access import CITY, COUNTY


def registry_board(user, level) -> dict:
    """What the dashboard shows of the registry and the firms served at this level."""
    orders = Order.objects.visible_to(user).exclude(state=OrderState.DRAFT)
    if level.kind == COUNTY:
        tally = chain_tally(county_id=level.county.pk)
        orders = orders.filter(county_id=level.county.pk)
    elif level.kind == CITY:
        tally = chain_tally(prefecture_id=level.prefecture.pk)
        orders = orders.filter(county__prefecture_id=level.prefecture.pk)
    else:
        tally = chain_tally()
    firms = firms_served(orders)
    return {
        "tally": tally,
        "firms": firms,
        "firm_rows": firms["by_chain"] if level.kind == COUNTY else firms["by_county"],
        "per_chain": level.kind == COUNTY,
    }
