"""Access to the public pages: home and the chain directory (everyone, anonymous included)."""

from tests.access import Access, public


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


ACCESS = {
    "home": Access(public()),
    "chains:directory": Access(public()),
    "chains:prefecture": Access(public(), kwargs=_prefecture),
    "chains:county": Access(public(), kwargs=_county),
    "chains:chain": Access(public(), kwargs=_chain),
    "chains:chain_type": Access(public(), kwargs=_chain_type),
}
