"""What the platform can do about a weak dimension (长短板 → 资源配置): for each dimension, the kind of order
that addresses it, the words that describe such a need, and the catalog resources the matching engine ranks
for the county's own chains.

| weak dimension | order kind | what the page offers |
| --- | --- | --- |
| 产业实力 | 产业配套 | up- and downstream partners for the county's chains (补链延链) |
| 创新能力 | 创新 | universities and institutes for joint research (产学研、揭榜挂帅) |
| 集聚水平 | 产业配套 | firms on the chain to attract (招商引链) |
| 质量效益 | 资金 | loans and funds for technical upgrading (技改融资) |
| 智造潜力 | 人才 | experts and training for smart manufacturing (智能制造人才) |

Other parts of the platform add their own links for a dimension through `register_offers` (e.g. the open
challenges 揭榜挂帅 of the county's chains for 创新能力); the registration happens where both may be imported
(reports/offers.py), so this app imports none of them.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chains.models import CountyChain
from devindex import policy
from engine import OrderQuery, rank
from engine.records import RESOURCE_TYPE_LABELS
from matchmaking.match_index import get_index

SUGGESTIONS_PER_CHAIN = 3
CHAINS_SHOWN = 2


@dataclass(frozen=True)
class Help:
    """How the platform helps with one weak dimension."""

    kind: str
    action: object
    title: object
    text: object


HELP = {
    "industry_strength": Help(
        "industry",
        _("补链延链：寻找上下游配套企业"),
        _("%(chain)s补链延链配套需求"),
        _("提升产业实力：为本链寻找上下游配套企业和合作项目，补齐薄弱环节。"),
    ),
    "innovation": Help(
        "innovation",
        _("技术攻关：对接高校院所联合研发"),
        _("%(chain)s关键技术攻关需求"),
        _("提升创新能力：与高校、科研院所开展产学研合作，共建研发平台，联合攻关关键技术。"),
    ),
    "agglomeration": Help(
        "industry",
        _("集群招商：引进链上优质企业"),
        _("%(chain)s招商引链需求"),
        _("提升集聚水平：引进链上优质企业和配套项目，培育链主企业，壮大产业集群。"),
    ),
    "quality": Help(
        "capital",
        _("提质增效：技改融资与产业基金"),
        _("%(chain)s技术改造融资需求"),
        _("提升质量效益：为企业技术改造、设备更新和节能降耗争取贷款、产业基金支持。"),
    ),
    "smart_potential": Help(
        "talent",
        _("智能制造：数字化人才与专家团队"),
        _("%(chain)s智能制造人才需求"),
        _("提升智造潜力：引进智能制造、数字化转型方面的专家团队和技能人才，建设智能工厂、绿色工厂。"),
    ),
}


@dataclass(frozen=True)
class Offer:
    """A link another part of the platform offers for one of the county's chains (e.g. its open challenges)."""

    chain_id: int
    kind: str  # what is offered, e.g. "challenges" (also the link's data attribute)
    label: str
    url: str
    count: int


# provider(user, county, chains) -> the offers for those chains (one or a few queries for all of them)
OfferProvider = Callable[[object, object, Sequence[CountyChain]], list[Offer]]
_PROVIDERS: dict[str, list[OfferProvider]] = {}


def register_offers(dimension_code: str, provider: OfferProvider) -> None:
    """Add (once) a provider of links for a weak dimension."""
    providers = _PROVIDERS.setdefault(dimension_code, [])
    if provider not in providers:
        providers.append(provider)


def offers(user, county, dimension_code: str, chains: Sequence[CountyChain]) -> dict[int, list[Offer]]:
    """The registered offers for the dimension, per chain id."""
    out: dict[int, list[Offer]] = {chain.pk: [] for chain in chains}
    if not chains:
        return out
    for provider in _PROVIDERS.get(dimension_code, ()):
        for offer in provider(user, county, chains):
            out.setdefault(offer.chain_id, []).append(offer)
    return out


@dataclass
class Suggestion:
    """Resources the engine ranks for one of the county's chains, and what other apps offer for it."""

    chain: CountyChain
    names: list[tuple[str, str, bool]]  # (name, resource type label, is_sample)
    order_url: str
    offers: list[Offer] = field(default_factory=list)


def county_chains(county) -> list[CountyChain]:
    """The county's first active chains (those the page and the dashboard offer help for)."""
    return list(
        CountyChain.objects.active().filter(county=county).select_related("chain_type")[:CHAINS_SHOWN]
    )


def order_url(county_chain: CountyChain, dimension_code: str) -> str:
    """The new-order page prefilled for the chain and the dimension's kind of need."""
    help_ = HELP[dimension_code]
    query = {
        "kind": help_.kind,
        "chain": county_chain.pk,
        "title": str(help_.title) % {"chain": county_chain.name},
        "description": str(help_.text),
    }
    return f"{reverse('orders:create')}?{urlencode(query)}"


def orders_url(county, dimension_code: str) -> str:
    """The county's orders of the dimension's kind (the order list the user can see)."""
    return f"{reverse('orders:list')}?{urlencode({'county': county.pk, 'kind': HELP[dimension_code].kind})}"


def suggestions(user, county, dimension_code: str) -> list[Suggestion]:
    """For each of the county's (first two) chains: the top catalog resources for the dimension's kind of need,
    the registered offers and (for the county itself) a prefilled order."""
    help_ = HELP[dimension_code]
    index = get_index()
    out = []
    chains = county_chains(county)
    offered = offers(user, county, dimension_code, chains)
    for chain in chains:
        query = OrderQuery(
            kind=help_.kind,
            county=county.name,
            prefecture=county.prefecture.name,
            chain_type=chain.chain_type.code,
            title=str(help_.title) % {"chain": chain.name},
            text=str(help_.text),
        )
        found = rank(query, index, top=SUGGESTIONS_PER_CHAIN)
        out.append(
            Suggestion(
                chain=chain,
                names=[
                    (c.name, RESOURCE_TYPE_LABELS.get(c.resource_type, c.resource_type), c.is_sample)
                    for c in found
                ],
                order_url=order_url(chain, dimension_code) if policy.may_place_order(user, county) else "",
                offers=offered.get(chain.pk, []),
            )
        )
    return out
