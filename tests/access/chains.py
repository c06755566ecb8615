"""Access to the public pages: home and the chain directory (everyone, anonymous included)."""

from tests.access import Access, logged_in, only, public

GOVERNMENT = (
    "county_jinjiang",
    "county_luoyuan",
    "city_quanzhou",
    "body_kjt",
    "body_jrb",
    "body_gxt",
    "admin",
)


def _prefecture(personas):
    from chains.models import Prefecture

    return {"pk": Prefecture.objects.get(name="泉州市").pk}


def _county(personas):
    from chains.models import County

    return {"pk": County.objects.get(name="晋江市").pk}


def _chain(personas):
    from chains.models import CountyChain

    return {"pk": CountyChain.objects.active().order_by("pk").first().pk}


def _chain_type(personas):
    from chains.models import ChainType

    return {"code": ChainType.objects.order_by("pk").first().code}


def _firm(personas):
    from chains.models import Enterprise

    return {"pk": Enterprise.objects.order_by("pk").first().pk}


def _declared(personas):
    """A chain 晋江市 declared (not yet reviewed by 泉州市)."""
    from chains import services

    chain = services.declare_chain(
        by=personas["county_jinjiang"], data={"name": "晋江市运动鞋服产业链", "chain_type": "textile-apparel"}
    )
    return {"pk": chain.pk}


def _declared_action(action):
    return lambda personas: {**_declared(personas), "action": action}


def _white_list_entry(personas):
    from chains.models import CountyChain, Enterprise, ProvincialBody, WhiteListEntry

    chain = CountyChain.objects.get(name="晋江市纺织鞋服产业链")
    entry = WhiteListEntry.objects.create(
        enterprise=Enterprise.objects.filter(chain_type=chain.chain_type).order_by("pk").first(),
        chain=chain,
        year=2025,
        listed_by=ProvincialBody.objects.get(short_name="省委金融办"),
        reason="重点融资支持",
    )
    return {"pk": entry.pk}


ACCESS = {
    "chains:firm": Access(public(), kwargs=_firm),
    # Declaring: county officials only (of their own county; the county is never an input).
    "chains:declare": Access(only("county_jinjiang", "county_luoyuan")),
    # The registry lists: government tiers; providers are no party to declarations.
    "chains:registry": Access(only(*GOVERNMENT)),
    # The white list: every approved user reads it (banks and funds filter by it); anonymous → login.
    "chains:white_list": Access(logged_in()),
    # Only its keepers (省委金融办, 省财政厅, 省工信厅, administrators) take entries off.
    "chains:white_list_remove": Access(
        only("body_jrb", "body_gxt", "admin", ok=302), kwargs=_white_list_entry, method="post"
    ),
    # A declared chain: its county edits it; everyone else (its city included) gets 404.
    "chains:chain_edit": Access(only("county_jinjiang"), kwargs=_declared),
    # Reviewing a declared chain: its prefecture city (and administrators); anyone else 404.
    "chains:chain_action": Access(
        only("city_quanzhou", "admin", ok=302), kwargs=_declared_action("review"), method="post"
    ),
    "home": Access(public()),
    "favicon": Access(public()),  # /favicon.ico (core.errorpages.favicon)
    "chains:directory": Access(public()),
    "chains:prefecture": Access(public(), kwargs=_prefecture),
    "chains:county": Access(public(), kwargs=_county),
    "chains:chain": Access(public(), kwargs=_chain),
    "chains:chain_type": Access(public(), kwargs=_chain_type),
}
