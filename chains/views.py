"""Pages: home, the chain directory (prefecture → county → chains → links and firms), the chain page as the
chain's home, the declaration workflow (县申报、市审核、省认定), the registry lists and the key-firm white list.

Thin: objects come through `visible_to(user)` (outside scope → 404), what a viewer reads through
`chains.policy`, state changes through `chains.services`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connections, router
from django.db.models import Count, Func, Prefetch, Q, Value
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chains import policy, services, workflow
from chains.choices import ChainStatus
from chains.forms import DeclarationForm, ReasonForm, WhiteListEntryForm
from chains.hooks import chain_sections
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
    WhiteListEntry,
)
from chains.scoping import scope_of
from chains.workflow import ChainWorkflowError


def _home_counted() -> dict:
    """What the home page counts, by label."""
    return {
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


_home_sql: dict[str, tuple[str, tuple]] = {}  # database alias -> the compiled counts query


def home_counts() -> dict[str, int]:
    """The nine headline counts in one query: SELECT 'label', COUNT(id) FROM … UNION ALL …

    The query is the same on every request (no user, no parameter): it is built and compiled once per database
    and process, then only run; building and compiling it cost more CPU than the rest of the page."""
    db = router.db_for_read(Prefecture)
    compiled = _home_sql.get(db)
    if compiled is None:
        first, *rest = (
            qs.order_by().values(counted_as=Value(label), n=Func("pk", function="COUNT"))
            for label, qs in _home_counted().items()
        )
        compiled = _home_sql[db] = first.union(*rest, all=True).query.get_compiler(db).as_sql()
    with connections[db].cursor() as cursor:
        cursor.execute(*compiled)
        return dict(cursor.fetchall())


def home(request):
    """Landing page: what the platform is, headline counts, entry points per role."""
    found = home_counts()
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
    """The chain's home: status, 链长, 专班, chain leaders, white-list firms, links with their firms, the open
    orders and outcomes (sections other apps add), and the declaration history for the chain's parties."""
    chain = get_object_or_404(
        CountyChain.objects.visible_to(request.user).select_related(
            "county__prefecture", "chain_type", "declared_by"
        ),
        pk=pk,
    )
    read = policy.for_chain(request.user, chain)
    links = _links_with_firms(chain.chain_type, chain.county)
    focused = set(chain.links.values_list("pk", flat=True))
    for link in links:
        link.focused = link.pk in focused
    siblings = (
        CountyChain.objects.active()
        .filter(chain_type=chain.chain_type)
        .exclude(pk=chain.pk)
        .select_related("county")
    )
    white_list = (
        chain.white_list.select_related("enterprise", "listed_by").order_by("-year", "enterprise__name")
        if read.white_list
        else WhiteListEntry.objects.none()
    )
    context = {
        "chain": chain,
        "read": read,
        "links": links,
        "siblings": siblings,
        "leader_firms": chain.leader_firms.select_related("county").order_by("name"),
        "white_list": white_list,
        "events": chain.events.select_related("actor").order_by("created_at", "pk") if read.history else [],
        "sections": chain_sections(request, chain),
        "reason_form": ReasonForm(),
        "action_labels": workflow.ACTION_LABELS,
    }
    return render(request, "chains/chain.html", context)


def _government(request):
    scope = scope_of(request.user)
    if (
        scope is None
        or not scope.active
        or not (scope.is_admin or scope.is_county or scope.is_city or scope.is_body)
    ):
        raise Http404
    return scope


@login_required
def declare(request):
    """县申报: a county official declares a key chain of their own county."""
    scope = scope_of(request.user)
    if scope is None or not scope.active or not scope.is_county:
        raise Http404
    form = DeclarationForm(request.POST or None, county_id=scope.county_id)
    if request.method == "POST" and form.is_valid():
        try:
            chain = services.declare_chain(by=request.user, data=form.declaration())
        except ChainWorkflowError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("已申报，等待设区市审核。申报期间即可在该产业链上开单（标注“待认定”）。")
            )
            return redirect(chain)
    return render(request, "chains/declare.html", {"form": form, "chain": None})


def _form_errors(form, exc: ChainWorkflowError) -> None:
    for name, message in (exc.errors or {"__all__": exc.message}).items():
        form.add_error(name if name in form.fields else None, message)


@login_required
def chain_edit(request, pk):
    """The county changes its declaration while declared or returned; the province adjusts (调整) it."""
    chain = get_object_or_404(
        CountyChain.objects.visible_to(request.user).select_related("county__prefecture"), pk=pk
    )
    read = policy.for_chain(request.user, chain)
    if not read.can_edit:
        raise Http404
    form = DeclarationForm(request.POST or None, instance=chain, county_id=chain.county_id)
    if request.method == "POST" and form.is_valid():
        data = form.declaration()
        chain.refresh_from_db()  # the form wrote into the instance; the service compares with what is stored
        try:
            services.update_declaration(chain, by=request.user, data=data)
        except ChainWorkflowError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("申报内容已保存。"))
            return redirect(chain)
    return render(request, "chains/declare.html", {"form": form, "chain": chain, "read": read})


@require_POST
@login_required
def chain_action(request, pk, action):
    """Fire one workflow action (submit, review, return, confirm, revoke); outside the chain's parties → 404."""
    chain = get_object_or_404(
        CountyChain.objects.visible_to(request.user).select_related("county__prefecture"), pk=pk
    )
    if action not in services.CHAIN_ACTIONS or not workflow.in_scope(scope_of(request.user), chain):
        raise Http404
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.act_on_chain(chain, action, by=request.user, reason=reason)
    except ChainWorkflowError as exc:
        if exc.code == "forbidden":
            raise Http404 from exc
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已%(action)s：%(chain)s（%(status)s）")
            % {
                "action": workflow.ACTION_LABELS[action],
                "chain": chain.name,
                "status": chain.get_status_display(),
            },
        )
    return redirect(chain)


@login_required
def registry(request):
    """重点产业链申报与认定: the chains the viewer's tier handles, with what awaits it, and the province's list of
    counties without a confirmed chain (the target is none)."""
    scope = _government(request)
    status = request.GET.get("status", "")
    chains = CountyChain.objects.visible_to(request.user).select_related("county__prefecture", "chain_type")
    if not scope.is_admin and not scope.is_body:
        own = (
            Q(county_id=scope.county_id) if scope.is_county else Q(county__prefecture_id=scope.prefecture_id)
        )
        chains = chains.filter(own)
    counts = dict(chains.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    if status in ChainStatus.values:
        chains = chains.filter(status=status)
    chains = chains.order_by("county__prefecture__position", "county__position", "name")
    awaiting = {
        "county": [ChainStatus.RETURNED],
        "city": [ChainStatus.DECLARED],
        "province": [ChainStatus.REVIEWED],
    }
    tier = (
        "province"
        if (scope.is_admin or workflow.is_province(scope))
        else "city"
        if scope.is_city
        else "county"
    )
    page = Paginator(chains, 50).get_page(request.GET.get("page"))
    uncovered = None
    if scope.is_admin or scope.is_body or scope.is_city:
        counties = County.objects.select_related("prefecture").annotate(
            confirmed=Count("chains", filter=Q(chains__status=ChainStatus.CONFIRMED)),
            pending=Count(
                "chains", filter=Q(chains__status__in=[ChainStatus.DECLARED, ChainStatus.REVIEWED])
            ),
        )
        if scope.is_city:
            counties = counties.filter(prefecture_id=scope.prefecture_id)
        uncovered = list(counties.filter(confirmed=0).order_by("prefecture__position", "position"))
    return render(
        request,
        "chains/registry.html",
        {
            "page": page,
            "status": status,
            "query": f"status={status}" if status else "",
            "statuses": ChainStatus.choices,
            "counts": counts,
            "awaiting": awaiting[tier],
            "tier": tier,
            "uncovered": uncovered,
            "can_declare": scope.is_county,
        },
    )


@login_required
def white_list(request):
    """重点企业白名单: read by approved users (banks and funds filter by it); kept by the financial bodies."""
    if not policy.may_see_white_list(request.user):
        raise Http404
    scope = scope_of(request.user)
    keeper = workflow.keeps_white_list(scope)
    form = WhiteListEntryForm(request.POST or None, is_admin=scope.is_admin) if keeper else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.add_to_white_list(
                    by=request.user,
                    enterprise=data["enterprise"],
                    chain=data["chain"],
                    year=data["year"],
                    reason=data["reason"],
                    listed_by=data.get("listed_by"),
                )
            except ChainWorkflowError as exc:
                for name, message in (exc.errors or {"__all__": exc.message}).items():
                    form.add_error(name if name in form.fields else None, message)
            else:
                messages.success(request, _("已列入白名单：%(firm)s") % {"firm": data["enterprise"].name})
                return redirect("chains:white_list")
    entries = WhiteListEntry.objects.visible_to(request.user).select_related(
        "enterprise__county", "chain__county__prefecture", "listed_by"
    )
    years = sorted(set(WhiteListEntry.objects.values_list("year", flat=True)), reverse=True)
    year = request.GET.get("year", "")
    if year.isdigit():
        entries = entries.filter(year=int(year))
    prefecture = request.GET.get("prefecture", "")
    if prefecture.isdigit():
        entries = entries.filter(chain__county__prefecture_id=int(prefecture))
    query = request.GET.get("q", "").strip()
    if query:
        entries = entries.filter(
            Q(enterprise__name__icontains=query)
            | Q(enterprise__uscc__iexact=query)
            | Q(chain__name__icontains=query)
        )
    page = Paginator(
        entries.order_by("-year", "chain__county__prefecture__position", "chain__name", "enterprise__name"),
        50,
    )
    return render(
        request,
        "chains/white_list.html",
        {
            "page": page.get_page(request.GET.get("page")),
            "form": form,
            "keeper": keeper,
            "years": years,
            "year": year,
            "prefectures": Prefecture.objects.all(),
            "prefecture": prefecture,
            "q": query,
        },
    )


@require_POST
@login_required
def white_list_remove(request, pk):
    """A keeper takes an entry off the list."""
    entry = get_object_or_404(WhiteListEntry.objects.visible_to(request.user), pk=pk)
    try:
        services.remove_from_white_list(entry, by=request.user)
    except ChainWorkflowError as exc:
        raise Http404 from exc
    messages.success(request, _("已移出白名单：%(firm)s") % {"firm": entry.enterprise.name})
    return redirect("chains:white_list")


def firm_detail(request, pk):
    """A catalog firm: its place on the chain map, the chains it leads, and (for approved users) the white list."""
    firm = get_object_or_404(
        Enterprise.objects.select_related("county__prefecture", "chain_type", "link"), pk=pk
    )
    led = firm.led_chains.visible_to(request.user).select_related("county")
    white_list = (
        firm.white_list.select_related("chain__county", "listed_by").order_by("-year")
        if policy.may_see_white_list(request.user)
        else None
    )
    return render(request, "chains/firm.html", {"firm": firm, "led": led, "white_list": white_list})


def chain_type_detail(request, code):
    """A chain type: its links with firms, and the counties that have it as a key chain."""
    chain_type = get_object_or_404(ChainType, code=code)
    links = _links_with_firms(chain_type)
    chains = chain_type.county_chains.active().select_related("county__prefecture")
    return render(
        request, "chains/chain_type.html", {"chain_type": chain_type, "links": links, "chains": chains}
    )
