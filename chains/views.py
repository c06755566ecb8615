"""Public pages: home and the chain directory (prefecture → county → chains → links and firms)."""

from django.db.models import Count, Func, Prefetch, Q, Value
from django.shortcuts import get_object_or_404, render

from chains.models import (
    ChainLink,
    ChainType,
    County,
    CountyChain,
    Enterprise,
    FinancialProduct,
    Fund,
    Institution,
    Prefecture,
    TalentResource,
)


def home(request):
    """Landing page: what the platform is, headline counts, entry points per role."""
    counted = {
        "prefectures": Prefecture.objects.all(),
        "counties": County.objects.all(),
        "chains": CountyChain.objects.active(),
        "chain_types": ChainType.objects.all(),
        "institutions": Institution.objects.all(),
        "enterprises": Enterprise.objects.all(),
        "funds": Fund.objects.all(),
        "products": FinancialProduct.objects.all(),
        "talent": TalentResource.objects.all(),
    }
    # The nine counts in one query: SELECT 'label', COUNT(id) FROM … UNION ALL …
    first, *rest = (
        qs.order_by().values(counted_as=Value(label), n=Func("pk", function="COUNT"))
        for label, qs in counted.items()
    )
    found = {row["counted_as"]: row["n"] for row in first.union(*rest, all=True)}
    counts = {name: found[name] for name in ("prefectures", "counties", "chains", "chain_types")}
    catalog = {name: found[name] for name in ("institutions", "enterprises", "funds", "products", "talent")}
    return render(request, "chains/home.html", {"counts": counts, "catalog": catalog})


def directory(request):
    """All prefectures with their counties and each county's key chains."""
    chains = CountyChain.objects.active().select_related("chain_type").order_by("name")
    counties = County.objects.order_by("position").prefetch_related(Prefetch("chains", queryset=chains))
    prefectures = Prefecture.objects.prefetch_related(Prefetch("counties", queryset=counties))
    return render(
        request,
        "chains/directory.html",
        {
            "prefectures": prefectures,
            "county_count": County.objects.count(),
            "chain_count": CountyChain.objects.active().count(),
        },
    )


def prefecture_detail(request, pk):
    """One prefecture: its counties side by side with their chains."""
    chains = CountyChain.objects.active().select_related("chain_type")
    prefecture = get_object_or_404(
        Prefecture.objects.prefetch_related(
            Prefetch(
                "counties", queryset=County.objects.prefetch_related(Prefetch("chains", queryset=chains))
            )
        ),
        pk=pk,
    )
    return render(request, "chains/prefecture.html", {"prefecture": prefecture})


def county_detail(request, pk):
    """One county: its key chains and the catalog firms located there."""
    county = get_object_or_404(County.objects.select_related("prefecture"), pk=pk)
    chains = (
        county.chains.active()
        .select_related("chain_type")
        .annotate(
            firm_count=Count("chain_type__enterprises", filter=Q(chain_type__enterprises__county=county))
        )
    )
    firms = county.enterprises.select_related("chain_type", "link").order_by(
        "chain_type__position", "link__position"
    )
    return render(request, "chains/county.html", {"county": county, "chains": chains, "firms": firms})


def _links_with_firms(chain_type, county=None):
    """The type's links in order, each with its catalog firms (this county's first)."""
    firms = Enterprise.objects.select_related("county__prefecture").order_by("name")
    links = list(
        ChainLink.objects.filter(chain_type=chain_type)
        .order_by("position")
        .prefetch_related(Prefetch("enterprises", queryset=firms))
    )
    for link in links:
        firms_here = list(link.enterprises.all())
        if county is not None:
            firms_here.sort(key=lambda f: (f.county_id != county.pk, f.name))
        link.firm_list = firms_here
    return links


def chain_detail(request, pk):
    """A county key chain: its type's links from upstream to downstream and the firms on each link."""
    chain = get_object_or_404(CountyChain.objects.select_related("county__prefecture", "chain_type"), pk=pk)
    links = _links_with_firms(chain.chain_type, chain.county)
    siblings = (
        CountyChain.objects.active()
        .filter(chain_type=chain.chain_type)
        .exclude(pk=chain.pk)
        .select_related("county")
    )
    return render(request, "chains/chain.html", {"chain": chain, "links": links, "siblings": siblings})


def chain_type_detail(request, code):
    """A chain type: its links with firms, and the counties that have it as a key chain."""
    chain_type = get_object_or_404(ChainType, code=code)
    links = _links_with_firms(chain_type)
    chains = chain_type.county_chains.active().select_related("county__prefecture")
    return render(
        request, "chains/chain_type.html", {"chain_type": chain_type, "links": links, "chains": chains}
    )
