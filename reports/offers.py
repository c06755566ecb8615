"""What other domains offer on the development index's county pages and dashboards, registered into
`devindex.resources` here, where both sides may be imported (neither domain imports the other): for a weak
创新能力, the open challenges (揭榜挂帅) of each of the county's chains' types, beside the matching institutions and
the prefilled innovation order the index already offers."""

from django.utils.translation import gettext as _

from challenges import stats as challenge_stats
from devindex import resources


def open_challenges(user, county, chains) -> list[resources.Offer]:
    """For each chain: the open challenges of its chain type the user may see, linked to the filtered hall."""
    counts = challenge_stats.open_by_chain_type(user, {chain.chain_type_id for chain in chains})
    out = []
    for chain in chains:
        n = counts.get(chain.chain_type_id, 0)
        kind = chain.chain_type.name
        if n:
            label = _("揭榜挂帅：%(type)s揭榜中的榜 %(n)d 项") % {"type": kind, "n": n}
        else:
            label = _("揭榜挂帅：暂无揭榜中的%(type)s榜，查看往期榜单") % {"type": kind}
        url = challenge_stats.hall_url(chain.chain_type_id, open_only=bool(n))
        out.append(resources.Offer(chain_id=chain.pk, kind="challenges", label=label, url=url, count=n))
    return out


def register() -> None:
    """Register the offers (called from the reports app's `ready()`)."""
    resources.register_offers("innovation", open_challenges)
