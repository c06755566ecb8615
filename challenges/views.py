"""揭榜挂帅 pages: thin views that read through `visible_to` and `policy`, and change state only through
`services` (a WorkflowError becomes a message; outside scope is 404)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scoping import Scope, get_visible_or_404
from challenges import exports, forms, matching, policy, services, stats, workflow
from challenges.choices import BidState, ChallengeState, ListState
from challenges.filtersets import AchievementFilter, ChallengeFilter
from challenges.models import (
    Achievement,
    Bid,
    Challenge,
    ChallengeEvent,
    ChallengeFile,
    ChallengeList,
    Milestone,
    PanelMember,
    Project,
    Review,
)
from challenges.review import aggregate
from core.errors import ServiceError as WorkflowError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fail(request, exc: WorkflowError) -> None:
    messages.error(request, exc.message)


def _challenges(user):
    return Challenge.objects.visible_to(user).select_related("list__publisher_org", "chain_type", "chain")


# --- public pages --------------------------------------------------------------------------------------
def index(request):
    """揭榜挂帅: published challenges (anyone), filterable; open ones first."""
    queryset = _challenges(request.user).filter(list__state__in=(ListState.PUBLISHED, ListState.CLOSED))
    queryset = queryset.exclude(state=ChallengeState.DRAFT).order_by("-state", "bid_deadline", "pk")
    flt = ChallengeFilter(request.GET or None, queryset=queryset)
    page = Paginator(flt.qs, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "challenges/index.html",
        {"filter": flt, "page": page, "query": query.urlencode(), "now": timezone.now()},
    )


def achievements(request):
    """科技成果供给清单 (anyone): searchable."""
    queryset = Achievement.objects.visible_to(request.user).select_related("organization", "chain_type")
    flt = AchievementFilter(request.GET or None, queryset=queryset)
    page = Paginator(flt.qs, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "challenges/achievements.html", {"filter": flt, "page": page, "query": query.urlencode()}
    )


def challenge_detail(request, pk):
    """One challenge: public content; bidding; the panel, bids, review aggregates and award for the publisher;
    the bids to declare on and score for a panel expert; the viewer's own bid."""
    challenge = get_visible_or_404(Challenge.objects.select_related("list__publisher_org", "chain_type", "chain", "link"), request.user, pk=pk)  # fmt: skip
    read = policy.ChallengeReadPolicy.of(request.user, challenge)
    scope = Scope.for_user(request.user)
    context = {"challenge": challenge, "read": read, "criteria": challenge.criteria.all(), "now": read.now}
    context["bidding_open"] = workflow.bidding_open(challenge, read.now)
    context["may_bid"] = context["bidding_open"] and scope.is_provider and not read.is_expert
    context["own_bids"] = list(
        Bid.objects.own(request.user).filter(challenge=challenge).select_related("bidder_org")
    )
    if read.is_publisher or read.is_expert:
        bids = list(
            Bid.objects.visible_to(request.user)
            .filter(challenge=challenge)
            .select_related("bidder_org", "challenge__list")
            .order_by("pk")
        )
        policies = policy.BidReadPolicy.for_bids(request.user, bids)
        context["bids"] = [(b, policies[b.pk]) for b in bids]
        if read.sees_reviews:
            reviews = list(Review.objects.filter(bid__challenge=challenge).select_related("expert"))
            aggs = aggregate(
                [b.pk for b in bids],
                [(r.bid_id, r.expert_id, r.total) for r in reviews],
                settings.CHALLENGE_OUTLIER_POINTS,
            )
            names = {b.pk: b for b in bids}
            experts = {r.expert_id: r.expert.display_name for r in reviews}
            context["ranking"] = [
                (a, names[a.bid_id], [(experts[e], t, e in a.outliers) for e, t in a.totals.items()])
                for a in aggs
            ]
            context["award_form"] = forms.AwardForm(bids=[b for b in bids if b.state == BidState.SUBMITTED])
    if read.sees_panel:
        context["panel"] = PanelMember.objects.filter(challenge=challenge).select_related(
            "expert__organization"
        )
        context["experts"] = (
            get_user_model()
            .objects.filter(is_active=True, organization__kind="provider")
            .exclude(panels__challenge=challenge)
            .order_by("username")[:200]
        )
    if read.sees_timeline:
        context["events"] = ChallengeEvent.objects.filter(challenge=challenge, bid=None).select_related(
            "actor"
        )
    if read.sees_bid_count:
        context["bid_count"] = challenge.bids.exclude(state=BidState.WITHDRAWN).count()
    context["orders"] = read.visible_orders(request.user).select_related("county")
    context["projects"] = (
        Project.objects.visible_to(request.user).filter(challenge=challenge).select_related("bid__bidder_org")
    )
    context["can"] = {
        a: workflow.can("challenge", challenge, a, scope) for a in ("award", "no_award", "cancel")
    }
    if read.sees_proposals and challenge.state in (ChallengeState.DRAFT, ChallengeState.OPEN):
        context["proposals"] = matching.proposed_bidders(challenge)
    return render(request, "challenges/challenge_detail.html", context)


def list_detail(request, pk):
    """One list with its challenges and the actions the viewer may take."""
    lst = get_visible_or_404(
        ChallengeList.objects.select_related("publisher_org", "county"), request.user, pk=pk
    )
    scope = Scope.for_user(request.user)
    actions = [a for a in workflow.TABLES["list"] if workflow.can("list", lst, a, scope)]
    editable = ChallengeList.objects.editable_by(request.user).filter(pk=lst.pk).exists()
    internal = scope.is_admin or scope.org_id == lst.publisher_org_id
    return render(request, "challenges/list_detail.html", {
        "lst": lst, "challenges": lst.challenges.select_related("chain_type", "chain"), "actions": actions,
        "labels": workflow.ACTION_LABELS, "editable": editable, "internal": internal,
        "events": ChallengeEvent.objects.filter(list=lst, challenge=None).select_related("actor") if internal else [],
    })  # fmt: skip


# --- publishing -----------------------------------------------------------------------------------------
@login_required
def list_create(request):
    """New list (provincial body, city, or a county through its city)."""
    form = forms.ChallengeListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lst = services.create_list(by=request.user, data=form.cleaned_data)
        except WorkflowError as exc:
            if exc.code == "forbidden":
                raise Http404 from exc
            _fail(request, exc)
        else:
            messages.success(request, _("榜单草稿已创建，请添加榜。"))
            return redirect("challenges:list_detail", pk=lst.pk)
    scope = Scope.for_user(request.user)
    if not (scope.is_body or scope.is_city or scope.is_county):
        raise Http404
    return render(request, "challenges/form.html", {"form": form, "title": _("新建榜单")})


@login_required
def challenge_create(request, pk):
    """Add a challenge to an editable list."""
    lst = get_visible_or_404(ChallengeList.objects.all(), request.user, pk=pk)
    if not ChallengeList.objects.editable_by(request.user).filter(pk=lst.pk).exists():
        raise Http404
    form = forms.ChallengeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("criteria_text", "orders")}
        try:
            challenge = services.add_challenge(lst, by=request.user, data=data, criteria=form.cleaned_data["criteria_text"], orders=form.cleaned_data["orders"])  # fmt: skip
        except WorkflowError as exc:
            for field, error in exc.errors.items():
                if field in form.fields:
                    form.add_error(field, error)
            _fail(request, exc)
        else:
            messages.success(request, _("已添加榜：%(t)s") % {"t": challenge.title})
            return redirect("challenges:list_detail", pk=lst.pk)
    return render(
        request, "challenges/form.html", {"form": form, "title": _("添加榜"), "subtitle": lst.title}
    )


@require_POST
@login_required
def list_action(request, pk, action):
    """submit / approve / return / publish / close a list."""
    lst = get_visible_or_404(ChallengeList.objects.all(), request.user, pk=pk)
    scope = Scope.for_user(request.user)
    if action not in workflow.TABLES["list"] or not any(
        workflow.actor_may(r, scope, "list", lst) for r in workflow.TABLES["list"][action].actors
    ):
        raise Http404
    reason = request.POST.get("reason", "")
    calls = {
        "submit": lambda: services.submit_list(lst, by=request.user),
        "approve": lambda: services.approve_list(lst, by=request.user),
        "return": lambda: services.return_list(lst, by=request.user, reason=reason),
        "publish": lambda: services.publish_list(lst, by=request.user),
        "close": lambda: services.close_list(lst, by=request.user, reason=reason),
    }
    try:
        calls[action]()
    except WorkflowError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("已%(a)s。") % {"a": workflow.ACTION_LABELS[action]})
    return redirect("challenges:list_detail", pk=lst.pk)


@require_POST
@login_required
def challenge_action(request, pk, action):
    """panel / award / no_award / cancel on a challenge (publisher, administrator)."""
    challenge = get_visible_or_404(Challenge.objects.select_related("list"), request.user, pk=pk)
    if (
        action not in ("panel", "award", "no_award", "cancel")
        or not policy.ChallengeReadPolicy.of(request.user, challenge).is_publisher
    ):
        raise Http404
    try:
        if action == "panel":
            expert = get_user_model().objects.filter(pk=request.POST.get("expert") or 0).first()
            if expert is None:
                raise WorkflowError(_("请选择专家。"))
            services.add_expert(challenge, by=request.user, expert=expert)
        elif action == "award":
            bids = list(
                Bid.objects.visible_to(request.user).filter(challenge=challenge, state=BidState.SUBMITTED)
            )
            form = forms.AwardForm(request.POST, bids=bids)
            if not form.is_valid():
                raise WorkflowError(_("请选择中榜方案并填写理由。"))
            chosen = {int(i) for i in form.cleaned_data["bids"]}
            others = {b.pk: form.cleaned_data["others"] for b in bids if b.pk not in chosen}
            services.award_challenge(challenge, by=request.user, bids=chosen, reason=form.cleaned_data["reason"], reasons=others)  # fmt: skip
        elif action == "no_award":
            services.decline_award(challenge, by=request.user, reason=request.POST.get("reason", ""))
        else:
            services.cancel_challenge(challenge, by=request.user, reason=request.POST.get("reason", ""))
    except WorkflowError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("操作已完成。"))
    return redirect("challenges:detail", pk=challenge.pk)


# --- bids -----------------------------------------------------------------------------------------------
@login_required
def bid_create(request, pk):
    """揭榜: an eligible provider submits a sealed bid (with attachments) before the deadline."""
    challenge = get_visible_or_404(Challenge.objects.select_related("list"), request.user, pk=pk)
    if not Scope.for_user(request.user).is_provider:
        raise Http404
    form = forms.BidForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in services.BID_INPUTS}
        try:
            bid = services.submit_bid(
                challenge, by=request.user, data=data, partners=form.cleaned_data["partners_text"],
                milestones=form.cleaned_data["milestones_text"], files=form.cleaned_data.get("attachments") or [],
            )  # fmt: skip
        except WorkflowError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("揭榜方案已提交。截止前仅贵单位可见，截止后由发榜单位组织评审。"))
            return redirect("challenges:bid_detail", pk=bid.pk)
    elif request.method == "GET" and not workflow.bidding_open(challenge):
        messages.error(request, _("揭榜已于 %(d)s 截止，不再接受揭榜方案。") % {"d": timezone.localtime(challenge.bid_deadline).strftime("%Y-%m-%d %H:%M")})  # fmt: skip
        return redirect("challenges:detail", pk=challenge.pk)
    note = _("方案密封提交：截止前只有贵单位可见，发榜单位和评审专家都看不到。揭榜截止：%(d)s") % {
        "d": timezone.localtime(challenge.bid_deadline).strftime("%Y-%m-%d %H:%M")
    }
    return render(
        request,
        "challenges/form.html",
        {"form": form, "title": _("揭榜"), "subtitle": challenge.title, "note": note, "multipart": True},
    )


def _visible_bid(request, pk) -> Bid:
    return get_visible_or_404(
        Bid.objects.select_related("challenge__list__publisher_org", "bidder_org").prefetch_related("partners", "milestones", "files"),
        request.user,
        pk=pk,
    )  # fmt: skip


@login_required
def bid_detail(request, pk):
    """One bid, as the read policy allows; the expert's declaration and scoring; the bidder's withdrawal."""
    bid = _visible_bid(request, pk)
    read = policy.BidReadPolicy.of(request.user, bid)
    context = {"bid": bid, "read": read, "challenge": bid.challenge, "reviews": read.reviews()}
    if read.role == "expert" and read.declared is False and not context["reviews"].exists():
        context["review_form"] = forms.ReviewForm(criteria=bid.challenge.criteria.all())
    context["may_withdraw"] = (
        read.role == "bidder" and bid.state == BidState.SUBMITTED and not bid.challenge.deadline_passed()
    )
    return render(request, "challenges/bid_detail.html", context)


@require_POST
@login_required
def bid_action(request, pk, action):
    """withdraw / attach (bidder); conflict / review (panel expert)."""
    bid = _visible_bid(request, pk)
    try:
        if action == "withdraw":
            services.withdraw_bid(bid, by=request.user)
        elif action == "attach":
            form = forms.ReportForm(data={"text": "-"}, files=request.FILES)
            if not form.is_valid() or not form.cleaned_data.get("attachments"):
                raise WorkflowError(_("请选择符合要求的文件。"))
            services.add_bid_files(bid, by=request.user, files=form.cleaned_data["attachments"])
        elif action == "conflict":
            services.declare_conflict(bid, by=request.user, has_conflict=request.POST.get("has_conflict") == "1", note=request.POST.get("note", ""))  # fmt: skip
            if not Bid.objects.visible_to(request.user).filter(pk=bid.pk).exists():
                messages.success(request, _("已声明存在利益冲突，您将不再看到该方案。"))
                return redirect("challenges:detail", pk=bid.challenge_id)
        elif action == "review":
            form = forms.ReviewForm(request.POST, criteria=bid.challenge.criteria.all())
            if not form.is_valid():
                raise WorkflowError(_("请为每项指标打 0–100 分。"))
            services.submit_review(
                bid, by=request.user, scores=form.scores(), comment=form.cleaned_data["comment"]
            )
        else:
            raise Http404
    except WorkflowError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("操作已完成。"))
    return (
        redirect("challenges:bid_detail", pk=bid.pk)
        if action != "withdraw"
        else redirect("challenges:detail", pk=bid.challenge_id)
    )


@login_required
def file_download(request, pk):
    """An attachment of a bid (as the bid's read policy allows) or of a milestone report."""
    row = ChallengeFile.objects.filter(pk=pk).first()
    if row is None:
        raise Http404
    if row.bid_id:
        bid = (
            Bid.objects.visible_to(request.user)
            .filter(pk=row.bid_id)
            .select_related("challenge__list")
            .first()
        )
        if bid is None or not policy.BidReadPolicy.of(request.user, bid).reads_content:
            raise Http404
    elif not Milestone.objects.visible_to(request.user).filter(reports__files=row).exists():
        raise Http404
    try:
        handle = row.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=row.original_name, content_type=row.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- projects --------------------------------------------------------------------------------------------
@login_required
def project_detail(request, pk):
    """A project: milestones with reports and evidence; report (winner), accept/rework, final acceptance."""
    project = get_visible_or_404(
        Project.objects.select_related("challenge__list", "bid__bidder_org"), request.user, pk=pk
    )
    scope = Scope.for_user(request.user)
    milestones = list(project.milestones.prefetch_related("reports__files"))
    return render(request, "challenges/project_detail.html", {
        "project": project, "challenge": project.challenge,
        "milestones": [(m, {a: workflow.can("milestone", m, a, scope) for a in ("report", "accept", "rework")}) for m in milestones],
        "may_accept": workflow.can("project", project, "accept", scope),
        "report_form": forms.ReportForm(), "today": timezone.localdate(),
        "events": ChallengeEvent.objects.filter(project=project).select_related("actor"),
    })  # fmt: skip


@require_POST
@login_required
def milestone_action(request, pk, action):
    """report (winner, with evidence) / accept / rework (publisher)."""
    milestone = get_visible_or_404(Milestone.objects.select_related("project__challenge__list", "project__bid"), request.user, pk=pk)  # fmt: skip
    try:
        if action == "report":
            form = forms.ReportForm(request.POST, request.FILES)
            if not form.is_valid():
                raise WorkflowError(_("请填写进展说明，附件须为允许的类型。"))
            services.report_milestone(milestone, by=request.user, text=form.cleaned_data["text"], files=form.cleaned_data.get("attachments") or [])  # fmt: skip
        elif action == "accept":
            services.accept_milestone(milestone, by=request.user, note=request.POST.get("reason", ""))
        elif action == "rework":
            services.rework_milestone(milestone, by=request.user, reason=request.POST.get("reason", ""))
        else:
            raise Http404
    except WorkflowError as exc:
        if exc.code == "forbidden":
            raise Http404 from exc
        _fail(request, exc)
    else:
        messages.success(request, _("操作已完成。"))
    return redirect("challenges:project_detail", pk=milestone.project_id)


@require_POST
@login_required
def project_accept(request, pk):
    """Final acceptance (publisher): resolves the linked orders."""
    project = get_visible_or_404(
        Project.objects.select_related("challenge__list", "bid__bidder_org"), request.user, pk=pk
    )
    try:
        services.accept_project(project, by=request.user, note=request.POST.get("reason", ""))
    except WorkflowError as exc:
        if exc.code == "forbidden":
            raise Http404 from exc
        _fail(request, exc)
    else:
        messages.success(request, _("项目已通过最终验收。"))
    return redirect("challenges:project_detail", pk=project.pk)


# --- mine, achievements, dashboard, exports --------------------------------------------------------------
@login_required
def mine(request):
    """My 揭榜挂帅: lists my organization publishes, its bids, my panels, its projects."""
    scope = Scope.for_user(request.user)
    lists = ChallengeList.objects.visible_to(request.user).filter(publisher_org_id=scope.org_id) if scope.org_id else ChallengeList.objects.none()  # fmt: skip
    if scope.is_county:
        lists = ChallengeList.objects.filter(county_id=scope.county_id)
    if scope.is_admin:
        lists = ChallengeList.objects.filter(state__in=(ListState.SUBMITTED, ListState.APPROVED))
    return render(request, "challenges/mine.html", {
        "lists": lists.select_related("publisher_org"),
        "bids": Bid.objects.own(request.user).select_related("challenge", "bidder_org").exclude(challenge__panel__expert=request.user),
        "panels": PanelMember.objects.filter(expert=request.user).select_related("challenge"),
        "projects": Project.objects.visible_to(request.user).select_related("challenge", "bid__bidder_org"),
        "achievements": Achievement.objects.filter(organization_id=scope.org_id) if scope.is_provider else [],
        "may_publish": scope.is_body or scope.is_city or scope.is_county,
    })  # fmt: skip


@login_required
def achievement_edit(request, pk=None):
    """Add or change one of my organization's achievements."""
    scope = Scope.for_user(request.user)
    if not scope.is_provider:
        raise Http404
    achievement = None
    if pk is not None:
        achievement = get_visible_or_404(Achievement.objects.editable_by(request.user), request.user, pk=pk)
    form = forms.AchievementForm(request.POST or None, instance=achievement)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_achievement(achievement, by=request.user, data=form.cleaned_data)
        except WorkflowError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("科技成果已保存。"))
            return redirect("challenges:achievements")
    return render(request, "challenges/form.html", {"form": form, "title": _("科技成果")})


@login_required
def dashboard(request):
    """Counts per chain type and county: challenges, bids, awards, funding, milestones on time."""
    return render(request, "challenges/dashboard.html", {"data": stats.dashboard(request.user)})


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def export_list(request, pk):
    """XLSX of a list's challenges."""
    lst = get_visible_or_404(ChallengeList.objects.all(), request.user, pk=pk)
    return _xlsx(exports.list_workbook(lst), f"challenge-list-{lst.pk}.xlsx")


@login_required
def export_bids(request, pk):
    """XLSX of a challenge's bids: the publisher after the deadline (404 before: bids are sealed)."""
    challenge = get_visible_or_404(Challenge.objects.select_related("list"), request.user, pk=pk)
    read = policy.ChallengeReadPolicy.of(request.user, challenge)
    if not (read.is_publisher and read.unsealed):
        raise Http404
    return _xlsx(exports.bids_workbook(challenge, request.user), f"challenge-{challenge.pk}-bids.xlsx")


@login_required
def export_reviews(request, pk):
    """XLSX of a challenge's reviews and aggregates (publisher, after the deadline)."""
    challenge = get_visible_or_404(Challenge.objects.select_related("list"), request.user, pk=pk)
    if not policy.ChallengeReadPolicy.of(request.user, challenge).sees_reviews:
        raise Http404
    return _xlsx(exports.reviews_workbook(challenge, request.user), f"challenge-{challenge.pk}-reviews.xlsx")
