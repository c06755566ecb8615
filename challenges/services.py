"""The only functions that change 揭榜挂帅 data. Each validates (via `workflow`), writes its ChallengeEvent in
the same transaction, tells the parties (`notifications`) and enqueues work on commit. They raise only
`WorkflowError` (code `illegal_transition`, `forbidden`, `invalid`, `deadline_passed`), which views turn into
messages and the API into 400/403/409.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import OrgKind, ProviderKind
from accounts.models import Organization
from accounts.scoping import Scope
from chains.models import Prefecture
from challenges import notifications, workflow
from challenges.choices import (
    BidState,
    ChallengeState,
    EventKind,
    ListState,
    MilestoneState,
    ProjectState,
    RegionScope,
    UnsuccessfulReason,
)
from challenges.models import (
    Achievement,
    Bid,
    BidMilestone,
    BidPartner,
    Challenge,
    ChallengeEvent,
    ChallengeFile,
    ChallengeList,
    ConflictDeclaration,
    Milestone,
    MilestoneReport,
    PanelMember,
    Project,
    Review,
    ReviewCriterion,
    ReviewScore,
)
from challenges.review import weighted_total
from core import dispatch
from core.errors import ServiceError as WorkflowError
from matchmaking import services as order_services
from matchmaking.choices import OrderState, OutcomeType
from matchmaking.models import Order
from matchmaking.uploads import UploadRejected, check_upload

LIST_INPUTS = ("title", "description")
CHALLENGE_INPUTS = (
    "title",
    "summary",
    "targets",
    "acceptance_criteria",
    "keywords",
    "chain_type",
    "chain",
    "link",
    "funding_yuan",
    "funder",
    "bid_deadline",
    "region_scope",
    "region_prefecture",
    "eligible_kinds",
    "joint_bids_allowed",
)
BID_INPUTS = ("lead_name", "lead_title", "team", "approach", "budget_yuan")
ACHIEVEMENT_INPUTS = (
    "title",
    "field",
    "summary",
    "keywords",
    "chain_type",
    "maturity",
    "ip_kind",
    "ip_number",
    "licensing",
    "licensing_terms",
    "is_published",
)
BIDDER_KINDS = (ProviderKind.INSTITUTION, ProviderKind.ENTERPRISE)


def _scope(user) -> Scope | None:
    return Scope.for_user(user) if user is not None else None


def _invalid(exc: ValidationError) -> WorkflowError:
    errors = (
        {field: " ".join(str(m) for m in messages) for field, messages in exc.message_dict.items()}
        if hasattr(exc, "error_dict")
        else {"__all__": " ".join(exc.messages)}
    )
    return WorkflowError(_("填写内容有误：") + "；".join(errors.values()), code="invalid", errors=errors)


def _clean(obj, exclude=()) -> None:
    try:
        obj.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as exc:
        raise _invalid(exc) from exc


def log(
    challenge_list,
    kind,
    by=None,
    *,
    challenge=None,
    bid=None,
    project=None,
    milestone=None,
    from_state="",
    to_state="",
    note="",
    at=None,
) -> ChallengeEvent:
    """Append one event; call inside the caller's transaction."""
    return ChallengeEvent.objects.create(
        list=challenge_list,
        challenge=challenge,
        bid=bid,
        project=project,
        milestone=milestone,
        kind=kind,
        actor=by,
        organization=getattr(by, "organization", None) if by is not None else None,
        from_state=from_state,
        to_state=to_state,
        note=(note or "")[:2000],
        created_at=at or timezone.now(),
    )


def _move(kind: str, obj, action: str, by, *, reason: str = "", changes: dict | None = None, now=None):
    """Lock the row, check the transition, apply it with a conditional update; return (locked row, from state)."""
    model = type(obj)
    locked = model.objects.select_for_update().get(pk=obj.pk)
    transition = workflow.check(kind, locked, action, _scope(by), reason)
    fields = {"state": transition.target, **(changes or {})}
    if not model.objects.filter(pk=locked.pk, state=locked.state).update(**fields):
        raise WorkflowError(_("状态已被他人更改，请刷新后重试。"), code="illegal_transition")
    from_state = locked.state
    for name, value in fields.items():
        setattr(locked, name, value)
        setattr(obj, name, value)
    return locked, from_state


def _store_files(by, files, *, bid=None, report=None) -> list[ChallengeFile]:
    stored = []
    for upload in files or ():
        try:
            content_type = check_upload(upload)
        except UploadRejected as exc:
            raise WorkflowError(str(exc), code="invalid", errors={"attachments": str(exc)}) from exc
        row = ChallengeFile(
            bid=bid,
            report=report,
            original_name=(upload.name or "")[-200:],
            content_type=content_type,
            size=upload.size,
            uploaded_by=by,
        )
        row.file.save(upload.name, upload, save=False)
        row.save()
        stored.append(row)
    return stored


# ---- lists and challenges ---------------------------------------------------------------------------------
def _publisher_for(by) -> tuple[Organization, object]:
    """(publisher organization, county or None) for a user creating a list."""
    scope = _scope(by)
    if scope is None or not scope.active:
        raise WorkflowError(_("请先登录。"), code="forbidden")
    if scope.is_body or scope.is_city:
        return by.organization, None
    if scope.is_county:
        city = Organization.objects.filter(
            kind=OrgKind.CITY, prefecture_id=scope.prefecture_id, is_active=True
        ).first()
        if city is None:
            raise WorkflowError(_("本县所属设区市尚未开通账号，无法通过设区市发榜。"), code="invalid")
        return city, by.organization.county
    raise WorkflowError(_("只有省级部门、设区市（或县域通过设区市）可以发榜。"), code="forbidden")


def create_list(*, by, data: Mapping) -> ChallengeList:
    """A provincial body or city drafts a list; a county drafts one that its city submits."""
    publisher, county = _publisher_for(by)
    lst = ChallengeList(publisher_org=publisher, county=county, created_by=by, state=ListState.DRAFT)
    for name in LIST_INPUTS:
        if name in data:
            setattr(lst, name, data[name])
    _clean(lst, exclude=["created_by"])
    with transaction.atomic():
        lst.save()
        log(lst, EventKind.CREATED, by, to_state=ListState.DRAFT)
    return lst


def update_list(lst: ChallengeList, *, by, data: Mapping) -> ChallengeList:
    """Change a draft or returned list's title and description."""
    if not ChallengeList.objects.editable_by(by).filter(pk=lst.pk).exists():
        raise WorkflowError(_("该榜单当前不能修改。"), code="forbidden")
    for name in LIST_INPUTS:
        if name in data:
            setattr(lst, name, data[name])
    _clean(lst, exclude=["created_by"])
    with transaction.atomic():
        lst.save()
        log(lst, EventKind.EDITED, by)
    return lst


def _check_orders(orders: Sequence, by) -> list:
    ids = [getattr(o, "pk", o) for o in orders or ()]
    found = list(Order.objects.visible_to(by).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise WorkflowError(_("只能关联您可见的需求。"), code="invalid", errors={"orders": _("需求无效。")})
    return found


def _set_criteria(challenge: Challenge, criteria: Sequence[Mapping]) -> None:
    if not criteria:
        raise WorkflowError(_("请至少设置一项评审指标。"), code="invalid", errors={"criteria": _("必填。")})
    rows = []
    for i, item in enumerate(criteria):
        row = ReviewCriterion(
            challenge=challenge,
            name=(item.get("name") or "").strip(),
            weight=item.get("weight") or 0,
            description=(item.get("description") or "").strip(),
            position=i,
        )
        _clean(row, exclude=["challenge"])
        rows.append(row)
    challenge.criteria.all().delete()
    ReviewCriterion.objects.bulk_create(rows)


def _check_challenge(challenge: Challenge) -> None:
    _clean(challenge, exclude=["list"])
    errors = {}
    if challenge.region_scope == RegionScope.PREFECTURE and not challenge.region_prefecture_id:
        errors["region_prefecture"] = _("请选择限定的设区市。")
    unknown = set(challenge.eligible_kinds or []) - set(ProviderKind.values)
    if unknown:
        errors["eligible_kinds"] = _("未知的单位类型：%(v)s") % {"v": "、".join(sorted(unknown))}
    if challenge.chain_id and challenge.chain.chain_type_id != challenge.chain_type_id:
        errors["chain"] = _("产业链与产业链类型不一致。")
    if challenge.link_id and challenge.link.chain_type_id != challenge.chain_type_id:
        errors["link"] = _("环节不属于该产业链类型。")
    if challenge.bid_deadline and challenge.bid_deadline <= timezone.now():
        errors["bid_deadline"] = _("揭榜截止时间须晚于当前时间。")
    if errors:
        raise WorkflowError(_("填写内容有误：") + "；".join(errors.values()), code="invalid", errors=errors)


def add_challenge(
    lst: ChallengeList, *, by, data: Mapping, criteria: Sequence[Mapping], orders=()
) -> Challenge:
    """Add a challenge (written directly or built from orders) to a list that may still be edited."""
    if not ChallengeList.objects.editable_by(by).filter(pk=lst.pk).exists():
        raise WorkflowError(_("该榜单当前不能修改。"), code="forbidden")
    challenge = Challenge(list=lst, state=ChallengeState.DRAFT)
    for name in CHALLENGE_INPUTS:
        if name in data:
            setattr(challenge, name, data[name])
    if not challenge.chain_type_id and challenge.chain_id:
        challenge.chain_type_id = challenge.chain.chain_type_id
    _check_challenge(challenge)
    linked = _check_orders(orders, by)
    with transaction.atomic():
        challenge.save()
        _set_criteria(challenge, criteria)
        challenge.orders.set(linked)
        log(lst, EventKind.CREATED, by, challenge=challenge, to_state=ChallengeState.DRAFT)
    return challenge


def update_challenge(challenge: Challenge, *, by, data: Mapping, criteria=None, orders=None) -> Challenge:
    """Change a challenge of an editable list."""
    if not Challenge.objects.editable_by(by).filter(pk=challenge.pk).exists():
        raise WorkflowError(_("该榜当前不能修改。"), code="forbidden")
    for name in CHALLENGE_INPUTS:
        if name in data:
            setattr(challenge, name, data[name])
    _check_challenge(challenge)
    linked = _check_orders(orders, by) if orders is not None else None
    with transaction.atomic():
        challenge.save()
        if criteria is not None:
            _set_criteria(challenge, criteria)
        if linked is not None:
            challenge.orders.set(linked)
        log(challenge.list, EventKind.EDITED, by, challenge=challenge)
    return challenge


def _list_move(lst, action, by, kind, *, reason="", changes=None) -> ChallengeList:
    with transaction.atomic():
        locked, from_state = _move("list", lst, action, by, reason=reason, changes=changes)
        log(locked, kind, by, from_state=from_state, to_state=locked.state, note=reason)
        if action in ("submit", "approve", "return"):
            notifications.list_event(locked, kind, by, reason)
    return lst


def submit_list(lst: ChallengeList, *, by) -> ChallengeList:
    """The publisher sends a list with at least one challenge to the administrators."""
    if not lst.challenges.exists():
        raise WorkflowError(_("榜单中还没有榜。"), code="invalid")
    return _list_move(
        lst, "submit", by, EventKind.SUBMITTED, changes={"submitted_at": timezone.now(), "state_note": ""}
    )


def approve_list(lst: ChallengeList, *, by) -> ChallengeList:
    """An administrator approves a submitted list for publication."""
    return _list_move(lst, "approve", by, EventKind.APPROVED, changes={"approved_at": timezone.now()})


def return_list(lst: ChallengeList, *, by, reason: str) -> ChallengeList:
    """An administrator sends a list back for changes, with a reason."""
    return _list_move(
        lst, "return", by, EventKind.RETURNED, reason=reason, changes={"state_note": reason.strip()}
    )


def publish_list(lst: ChallengeList, *, by) -> ChallengeList:
    """The publisher publishes an approved list: its challenges open for bids; subscribers are told."""
    now = timezone.now()
    late = lst.challenges.filter(bid_deadline__lte=now)
    if late.exists():
        raise WorkflowError(
            _("榜“%(t)s”的揭榜截止时间已过，请退回修改后再发布。") % {"t": late.first().title},
            code="invalid",
        )
    with transaction.atomic():
        _list_move(lst, "publish", by, EventKind.PUBLISHED, changes={"published_at": now})
        opened = []
        for challenge in lst.challenges.select_for_update().filter(state=ChallengeState.DRAFT):
            locked, from_state = _move("challenge", challenge, "open", None)
            log(
                lst,
                EventKind.PUBLISHED,
                by,
                challenge=challenge,
                from_state=from_state,
                to_state=locked.state,
            )
            opened.append(challenge)
        dispatch.enqueue_on_commit("challenges.tasks.notify_new_challenges", [c.pk for c in opened])
    return lst


def close_list(lst: ChallengeList, *, by, reason: str) -> ChallengeList:
    """The publisher closes a published list; challenges still open or in review are cancelled."""
    with transaction.atomic():
        _list_move(
            lst,
            "close",
            by,
            EventKind.CLOSED,
            reason=reason,
            changes={"closed_at": timezone.now(), "state_note": reason.strip()},
        )
        for challenge in lst.challenges.filter(state__in=(ChallengeState.OPEN, ChallengeState.REVIEWING)):
            cancel_challenge(challenge, by=by, reason=reason)
    return lst


# ---- deadline, panel --------------------------------------------------------------------------------------
def close_bidding(challenge: Challenge, now=None) -> Challenge:
    """The system moves an open challenge whose deadline passed into review (bids unsealed)."""
    now = now or timezone.now()
    if not challenge.deadline_passed(now):
        raise WorkflowError(_("揭榜尚未截止。"), code="illegal_transition")
    with transaction.atomic():
        locked, from_state = _move("challenge", challenge, "deadline", None)
        count = Bid.objects.filter(challenge=challenge, state=BidState.SUBMITTED).count()
        log(
            challenge.list,
            EventKind.DEADLINE,
            None,
            challenge=challenge,
            from_state=from_state,
            to_state=locked.state,
            note=_("共收到 %(n)s 份方案") % {"n": count},
            at=now,
        )
        notifications.deadline_passed(challenge, count)
    return challenge


def close_due_bidding(now=None) -> int:
    """Close bidding on every open challenge past its deadline; return how many (the beat sweeper)."""
    now = now or timezone.now()
    count = 0
    for challenge in Challenge.objects.filter(
        state=ChallengeState.OPEN, bid_deadline__lte=now
    ).select_related("list"):
        try:
            close_bidding(challenge, now)
        except WorkflowError:
            continue
        count += 1
    return count


def _require_publisher(challenge: Challenge, by) -> Scope:
    scope = _scope(by)
    if not (scope and scope.active and (scope.is_admin or scope.org_id == challenge.list.publisher_org_id)):
        raise WorkflowError(_("只有发榜单位可以执行此操作。"), code="forbidden")
    return scope


def add_expert(challenge: Challenge, *, by, expert) -> PanelMember:
    """The publisher puts a user on the challenge's review panel (before the award)."""
    _require_publisher(challenge, by)
    if challenge.state not in (ChallengeState.DRAFT, ChallengeState.OPEN, ChallengeState.REVIEWING):
        raise WorkflowError(_("评审已结束，不能再添加专家。"), code="illegal_transition")
    if not expert.is_active or not Scope.for_user(expert).active:
        raise WorkflowError(_("专家账号无效。"), code="invalid", errors={"expert": _("专家账号无效。")})
    if expert.organization_id == challenge.list.publisher_org_id:
        raise WorkflowError(
            _("发榜单位人员不能担任评审专家。"), code="invalid", errors={"expert": _("无效。")}
        )
    with transaction.atomic():
        member, created = PanelMember.objects.get_or_create(
            challenge=challenge, expert=expert, defaults={"added_by": by}
        )
        if not created:
            raise WorkflowError(_("该专家已在评审组中。"), code="invalid", errors={"expert": _("重复。")})
        log(challenge.list, EventKind.PANEL, by, challenge=challenge, note=str(expert))
        notifications.panel_invited(challenge, expert, by)
    return member


# ---- bids -----------------------------------------------------------------------------------------------
def org_region(org: Organization) -> tuple[bool, int | None]:
    """(based in Fujian, prefecture id or None) of a provider organization, from its catalog entry."""
    if org.enterprise_id:
        county = org.enterprise.county
        return (county is not None, county.prefecture_id if county else None)
    if org.institution_id:
        inst = org.institution
        pref = next((p.pk for p in Prefecture.objects.all() if p.name in inst.location), None)
        return (bool(inst.in_fujian), pref if inst.in_fujian else None)
    if org.fund_id:
        fund = org.fund
        pref = fund.prefecture_id or (fund.county.prefecture_id if fund.county_id else None)
        return (True, pref)
    if org.county_id:
        return (True, org.county.prefecture_id)
    if org.prefecture_id:
        return (True, org.prefecture_id)
    return (org.provider_kind in (ProviderKind.BANK, ProviderKind.TALENT), None)


def eligibility_errors(
    challenge: Challenge, org: Organization, partners: Sequence[Mapping] = ()
) -> list[str]:
    """Why an organization may not bid on a challenge (empty: it may)."""
    errors = []
    if org.kind != OrgKind.PROVIDER:
        return [_("只有科研机构、企业等资源方可以揭榜。")]
    if challenge.eligible_kinds and org.provider_kind not in challenge.eligible_kinds:
        labels = "、".join(str(ProviderKind(k).label) for k in challenge.eligible_kinds)
        errors.append(_("本榜仅限以下单位揭榜：%(k)s。") % {"k": labels})
    if challenge.region_scope != RegionScope.ANY:
        in_fujian, prefecture_id = org_region(org)
        if challenge.region_scope == RegionScope.FUJIAN and not in_fujian:
            errors.append(_("本榜仅限福建省内单位揭榜（可与省内单位组成联合体，由省内单位牵头）。"))
        if (
            challenge.region_scope == RegionScope.PREFECTURE
            and prefecture_id != challenge.region_prefecture_id
        ):
            errors.append(_("本榜仅限%(p)s单位揭榜。") % {"p": challenge.region_prefecture})
    if partners and not challenge.joint_bids_allowed:
        errors.append(_("本榜不接受联合揭榜。"))
    return errors


def submit_bid(
    challenge: Challenge,
    *,
    by,
    data: Mapping,
    partners: Sequence[Mapping] = (),
    milestones: Sequence[Mapping] = (),
    files=(),
    now=None,
) -> Bid:
    """An eligible provider submits a sealed bid before the deadline (one live bid per organization)."""
    now = now or timezone.now()
    scope = _scope(by)
    if scope is None or not scope.is_provider:
        raise WorkflowError(_("只有科研机构、企业等资源方可以揭榜。"), code="forbidden")
    if not Challenge.objects.visible_to(by).filter(pk=challenge.pk).exists():
        raise WorkflowError(_("该榜对您不可见。"), code="forbidden")
    if (challenge.state == ChallengeState.OPEN and challenge.deadline_passed(now)) or (
        challenge.state != ChallengeState.OPEN and challenge.state != ChallengeState.DRAFT
    ):
        raise WorkflowError(
            _("揭榜已于 %(d)s 截止，不再接受揭榜方案。")
            % {"d": timezone.localtime(challenge.bid_deadline).strftime("%Y-%m-%d %H:%M")},
            code="deadline_passed",
        )
    if challenge.state != ChallengeState.OPEN:
        raise WorkflowError(_("该榜尚未发布。"), code="illegal_transition")
    org = by.organization
    errors = eligibility_errors(challenge, org, partners)
    if errors:
        raise WorkflowError("".join(errors), code="invalid", errors={"__all__": "".join(errors)})
    if Bid.objects.filter(challenge=challenge, bidder_org=org).exclude(state=BidState.WITHDRAWN).exists():
        raise WorkflowError(_("贵单位已提交过揭榜方案（可先撤回再重新提交）。"), code="invalid")
    if not milestones:
        raise WorkflowError(_("请至少填写一个里程碑。"), code="invalid", errors={"milestones": _("必填。")})
    bid = Bid(
        challenge=challenge, bidder_org=org, submitted_by=by, submitted_at=now, state=BidState.SUBMITTED
    )
    for name in BID_INPUTS:
        if name in data:
            setattr(bid, name, data[name])
    _clean(bid, exclude=["submitted_by"])
    partner_rows = []
    for item in partners:
        partner_org = item.get("organization")
        if partner_org is not None and not isinstance(partner_org, Organization):
            partner_org = Organization.objects.filter(pk=partner_org, is_active=True).first()
        name = (item.get("name") or (partner_org.name if partner_org else "")).strip()
        if partner_org is not None and partner_org.pk == org.pk:
            raise WorkflowError(
                _("联合体成员不能是牵头单位本身。"), code="invalid", errors={"partners": _("无效。")}
            )
        row = BidPartner(name=name, organization=partner_org, role=(item.get("role") or "").strip())
        _clean(row, exclude=["bid"])
        partner_rows.append(row)
    milestone_rows = []
    for i, item in enumerate(milestones):
        row = BidMilestone(
            title=(item.get("title") or "").strip(),
            due_date=item.get("due_date"),
            deliverable=(item.get("deliverable") or "").strip(),
            position=i,
        )
        _clean(row, exclude=["bid"])
        milestone_rows.append(row)
    try:
        with transaction.atomic():
            bid.save()
            for row in partner_rows + milestone_rows:
                row.bid = bid
            BidPartner.objects.bulk_create(partner_rows)
            BidMilestone.objects.bulk_create(milestone_rows)
            _store_files(by, files, bid=bid)
            log(challenge.list, EventKind.BID, by, challenge=challenge, bid=bid, to_state=bid.state, at=now)
            notifications.bid_received(bid, by)
    except IntegrityError as exc:
        raise WorkflowError(_("贵单位已提交过揭榜方案。"), code="invalid") from exc
    return bid


def _before_deadline(bid: Bid, now=None) -> None:
    if bid.challenge.deadline_passed(now):
        raise WorkflowError(_("揭榜已截止，方案不能再修改或撤回。"), code="deadline_passed")


def add_bid_files(bid: Bid, *, by, files) -> list[ChallengeFile]:
    """The bidder adds attachments to its submitted bid before the deadline."""
    if not workflow.is_bidder(_scope(by), bid):
        raise WorkflowError(_("只有揭榜单位可以上传方案附件。"), code="forbidden")
    if bid.state != BidState.SUBMITTED:
        raise WorkflowError(_("该方案已不能修改。"), code="illegal_transition")
    _before_deadline(bid)
    with transaction.atomic():
        stored = _store_files(by, files, bid=bid)
        log(
            bid.challenge.list,
            EventKind.EDITED,
            by,
            challenge=bid.challenge,
            bid=bid,
            note="、".join(f.original_name for f in stored),
        )
    return stored


def withdraw_bid(bid: Bid, *, by, now=None) -> Bid:
    """The bidder withdraws its bid before the deadline."""
    _before_deadline(bid, now)
    with transaction.atomic():
        locked, from_state = _move(
            "bid", bid, "withdraw", by, changes={"withdrawn_at": now or timezone.now()}
        )
        log(
            bid.challenge.list,
            EventKind.WITHDRAWN,
            by,
            challenge=bid.challenge,
            bid=bid,
            from_state=from_state,
            to_state=locked.state,
        )
        notifications.bid_withdrawn(bid, by)
    return bid


# ---- review ---------------------------------------------------------------------------------------------
def _expert_bid(bid: Bid, by) -> Scope:
    scope = _scope(by)
    if (
        scope is None
        or not PanelMember.objects.filter(challenge_id=bid.challenge_id, expert_id=scope.user_id).exists()
    ):
        raise WorkflowError(_("您不是该榜的评审专家。"), code="forbidden")
    state = Challenge.objects.filter(pk=bid.challenge_id).values_list("state", flat=True).first()
    if state != ChallengeState.REVIEWING or bid.state == BidState.WITHDRAWN:
        raise WorkflowError(_("该榜当前不在评审阶段。"), code="illegal_transition")
    return scope


def declare_conflict(bid: Bid, *, by, has_conflict: bool, note: str = "") -> ConflictDeclaration:
    """A panel expert declares, once per bid, whether they have a conflict of interest; an expert from the
    bidder's (or a partner's) own organization is conflicted whatever they declare."""
    scope = _expert_bid(bid, by)
    if ConflictDeclaration.objects.filter(bid=bid, expert_id=scope.user_id).exists():
        raise WorkflowError(_("您已对该方案作出声明。"), code="invalid")
    affiliated = workflow.is_bidder(scope, bid)
    has_conflict = bool(has_conflict) or affiliated
    if affiliated and not note:
        note = _("本人所在单位为揭榜单位或联合体成员")
    with transaction.atomic():
        row = ConflictDeclaration.objects.create(
            bid=bid, expert=by, has_conflict=has_conflict, note=note[:300]
        )
        log(
            bid.challenge.list,
            EventKind.CONFLICT,
            by,
            challenge=bid.challenge,
            bid=bid,
            note=_("存在利益冲突，回避") if has_conflict else _("无利益冲突"),
        )
    return row


def submit_review(
    bid: Bid, *, by, scores: Mapping[int, tuple[int, str]] | Mapping[int, int], comment: str = ""
) -> Review:
    """A panel expert without a conflict scores every criterion of a bid (0–100) once, with comments."""
    scope = _expert_bid(bid, by)
    declared = ConflictDeclaration.objects.filter(bid=bid, expert_id=scope.user_id).first()
    if declared is None:
        raise WorkflowError(_("请先声明是否存在利益冲突。"), code="invalid")
    if declared.has_conflict:
        raise WorkflowError(_("您已声明存在利益冲突，不能评审该方案。"), code="forbidden")
    if Review.objects.filter(bid=bid, expert_id=scope.user_id).exists():
        raise WorkflowError(_("您已评审过该方案。"), code="invalid")
    criteria = {c.pk: c for c in bid.challenge.criteria.all()}
    parsed: dict[int, tuple[int, str]] = {}
    for key, value in scores.items():
        score, note = value if isinstance(value, tuple | list) else (value, "")
        parsed[int(key)] = (score, note or "")
    errors = {}
    if set(parsed) != set(criteria):
        errors["scores"] = _("请为每项评审指标打分。")
    for score, _note in parsed.values():
        if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 100:
            errors["scores"] = _("得分须为 0–100 的整数。")
    if errors:
        raise WorkflowError(errors["scores"], code="invalid", errors=errors)
    total = weighted_total({c: s for c, (s, _n) in parsed.items()}, {c: criteria[c].weight for c in criteria})
    with transaction.atomic():
        review = Review.objects.create(
            bid=bid, expert=by, comment=(comment or "")[:5000], total=round(total, 2)
        )
        ReviewScore.objects.bulk_create(
            [
                ReviewScore(review=review, criterion_id=c, score=s, comment=n[:500])
                for c, (s, n) in parsed.items()
            ]
        )
        log(bid.challenge.list, EventKind.REVIEWED, by, challenge=bid.challenge, bid=bid)
    return review


# ---- award ----------------------------------------------------------------------------------------------
def _decide_bids(
    challenge: Challenge, awarded_ids: set[int], default_reason: str, by, reasons=None, note=""
) -> list:
    projects = []
    now = timezone.now()
    reasons = reasons or {}
    for bid in challenge.bids.select_for_update().filter(state=BidState.SUBMITTED).order_by("pk"):
        if bid.pk in awarded_ids:
            _move("bid", bid, "award", None, changes={"decided_at": now})
            project = Project.objects.create(challenge=challenge, bid=bid, is_sample=challenge.is_sample)
            Milestone.objects.bulk_create(
                [
                    Milestone(
                        project=project,
                        title=m.title,
                        due_date=m.due_date,
                        deliverable=m.deliverable,
                        position=m.position,
                    )
                    for m in bid.milestones.all()
                ]
            )
            projects.append(project)
        else:
            category = reasons.get(bid.pk, default_reason)
            if category not in UnsuccessfulReason.values:
                raise WorkflowError(_("未中榜原因无效。"), code="invalid", errors={"reasons": _("无效。")})
            _move("bid", bid, "reject", None, changes={"decided_at": now, "reason_category": category})
        log(
            challenge.list,
            EventKind.AWARDED if bid.pk in awarded_ids else EventKind.NO_AWARD,
            by,
            challenge=challenge,
            bid=bid,
            to_state=bid.state,
        )
        notifications.bid_decided(bid, by, note if bid.pk in awarded_ids else "")
    return projects


def award_challenge(
    challenge: Challenge, *, by, bids: Iterable, reason: str, reasons: Mapping[int, str] | None = None
) -> list[Project]:
    """The publisher awards (挂帅) one or more submitted bids with a reason; the others are unsuccessful
    (reason category per bid, default 综合评分排名靠后); each award becomes a project with the bid's milestones."""
    ids = {getattr(b, "pk", b) for b in bids}
    if not ids:
        raise WorkflowError(_("请选择中榜方案。"), code="invalid", errors={"bids": _("必填。")})
    valid = set(challenge.bids.filter(pk__in=ids, state=BidState.SUBMITTED).values_list("pk", flat=True))
    if valid != ids:
        raise WorkflowError(_("只能选择本榜已提交的方案。"), code="invalid", errors={"bids": _("无效。")})
    with transaction.atomic():
        locked, from_state = _move(
            "challenge",
            challenge,
            "award",
            by,
            reason=reason,
            changes={"state_note": reason.strip(), "decided_at": timezone.now()},
        )
        log(
            challenge.list,
            EventKind.AWARDED,
            by,
            challenge=challenge,
            from_state=from_state,
            to_state=locked.state,
            note=reason,
        )
        projects = _decide_bids(challenge, ids, UnsuccessfulReason.RANKED_LOWER, by, reasons, note=reason)
    return projects


def decline_award(challenge: Challenge, *, by, reason: str) -> Challenge:
    """The publisher declares no award (不授榜) with a reason; every bid is unsuccessful (本榜未授榜)."""
    with transaction.atomic():
        locked, from_state = _move(
            "challenge",
            challenge,
            "no_award",
            by,
            reason=reason,
            changes={"state_note": reason.strip(), "decided_at": timezone.now()},
        )
        log(
            challenge.list,
            EventKind.NO_AWARD,
            by,
            challenge=challenge,
            from_state=from_state,
            to_state=locked.state,
            note=reason,
        )
        _decide_bids(challenge, set(), UnsuccessfulReason.NO_AWARD, by)
    return challenge


def cancel_challenge(challenge: Challenge, *, by, reason: str) -> Challenge:
    """The publisher withdraws (撤榜) an open or reviewing challenge; bids are unsuccessful (本榜已撤榜)."""
    with transaction.atomic():
        locked, from_state = _move(
            "challenge",
            challenge,
            "cancel",
            by,
            reason=reason,
            changes={"state_note": reason.strip(), "decided_at": timezone.now()},
        )
        log(
            challenge.list,
            EventKind.CANCELLED,
            by,
            challenge=challenge,
            from_state=from_state,
            to_state=locked.state,
            note=reason,
        )
        _decide_bids(challenge, set(), UnsuccessfulReason.CANCELLED, by)
    return challenge


# ---- milestones and acceptance -------------------------------------------------------------------------
def report_milestone(milestone: Milestone, *, by, text: str, files=()) -> MilestoneReport:
    """The winner reports progress on a milestone with evidence (a text, and files)."""
    if not (text or "").strip():
        raise WorkflowError(_("请填写进展与证明材料说明。"), code="invalid", errors={"text": _("必填。")})
    project = milestone.project
    if project.state != ProjectState.ACTIVE:
        raise WorkflowError(_("项目已验收。"), code="illegal_transition")
    now = timezone.now()
    with transaction.atomic():
        changes = {"reported_at": now}
        if milestone.first_reported_at is None:
            changes["first_reported_at"] = now
        locked, from_state = _move("milestone", milestone, "report", by, changes=changes)
        report = MilestoneReport.objects.create(milestone=milestone, text=text.strip(), reported_by=by)
        _store_files(by, files, report=report)
        log(
            project.challenge.list,
            EventKind.REPORTED,
            by,
            challenge=project.challenge,
            project=project,
            milestone=milestone,
            from_state=from_state,
            to_state=locked.state,
            note=milestone.title,
        )
        notifications.milestone_event(milestone, "reported", by)
    return report


def accept_milestone(milestone: Milestone, *, by, note: str = "") -> Milestone:
    """The publisher accepts a reported milestone."""
    project = milestone.project
    with transaction.atomic():
        locked, from_state = _move(
            "milestone",
            milestone,
            "accept",
            by,
            changes={"decided_at": timezone.now(), "decision_note": (note or "").strip()},
        )
        log(
            project.challenge.list,
            EventKind.MILESTONE_ACCEPTED,
            by,
            challenge=project.challenge,
            project=project,
            milestone=milestone,
            from_state=from_state,
            to_state=locked.state,
            note=note,
        )
        notifications.milestone_event(milestone, "accepted", by, note)
    return milestone


def rework_milestone(milestone: Milestone, *, by, reason: str) -> Milestone:
    """The publisher sends a reported milestone back for rework, with the reason."""
    project = milestone.project
    with transaction.atomic():
        locked, from_state = _move(
            "milestone",
            milestone,
            "rework",
            by,
            reason=reason,
            changes={
                "decided_at": timezone.now(),
                "decision_note": reason.strip(),
                "reminded_at": None,
                "escalated_at": None,
            },
        )
        log(
            project.challenge.list,
            EventKind.REWORK,
            by,
            challenge=project.challenge,
            project=project,
            milestone=milestone,
            from_state=from_state,
            to_state=locked.state,
            note=reason,
        )
        notifications.milestone_event(milestone, "rework", by, reason)
    return milestone


def _resolve_orders(project: Project, by, note: str) -> None:
    """Resolve the challenge's linked orders through matchmaking's own service (as the accepting user)."""
    challenge = project.challenge
    partner = project.bid.bidder_org.name
    for order in challenge.orders.select_related("county__prefecture", "chain").all():
        if order.state != OrderState.DOCKING:
            log(
                challenge.list,
                EventKind.ORDER_NOT_RESOLVED,
                by,
                challenge=challenge,
                project=project,
                note=_("需求“%(t)s”状态为“%(s)s”，未办结")
                % {"t": order.title, "s": order.get_state_display()},
            )
            continue
        try:
            order_services.resolve_order(
                order,
                by=by,
                outcome_type=OutcomeType.AGREEMENT,
                amount_yuan=project.bid.budget_yuan,
                partner=partner,
                summary=_("揭榜挂帅项目“%(c)s”通过最终验收：%(n)s") % {"c": challenge.title, "n": note or ""},
            )
        except WorkflowError as exc:
            log(
                challenge.list,
                EventKind.ORDER_NOT_RESOLVED,
                by,
                challenge=challenge,
                project=project,
                note=f"{order.title}：{exc.message}",
            )
            continue
        log(
            challenge.list,
            EventKind.ORDER_RESOLVED,
            by,
            challenge=challenge,
            project=project,
            note=order.title,
        )


def accept_project(project: Project, *, by, note: str = "") -> Project:
    """Final acceptance (最终验收) once every milestone is accepted; resolves the challenge's linked orders."""
    workflow.check("project", project, "accept", _scope(by))
    if project.milestones.exclude(state=MilestoneState.ACCEPTED).exists():
        raise WorkflowError(_("还有里程碑未通过验收。"), code="illegal_transition")
    with transaction.atomic():
        locked, from_state = _move(
            "project",
            project,
            "accept",
            by,
            changes={"accepted_at": timezone.now(), "acceptance_note": (note or "").strip()},
        )
        log(
            project.challenge.list,
            EventKind.PROJECT_ACCEPTED,
            by,
            challenge=project.challenge,
            project=project,
            from_state=from_state,
            to_state=locked.state,
            note=note,
        )
        _resolve_orders(project, by, note)
        notifications.project_accepted(project, by, note)
    return project


def remind_overdue_milestones(today: date | None = None) -> dict[str, int]:
    """Remind the winner once per overdue milestone (pending or rework past its date), and escalate to the
    publisher and administrators once it is `CHALLENGE_ESCALATE_DAYS` overdue; return the counts."""
    today = today or timezone.localdate()
    now = timezone.now()
    counts = {"reminded": 0, "escalated": 0}
    overdue = Milestone.objects.filter(
        state__in=(MilestoneState.PENDING, MilestoneState.REWORK),
        due_date__lt=today,
        project__state=ProjectState.ACTIVE,
    ).select_related("project__challenge__list", "project__bid")
    for milestone in overdue:
        days = (today - milestone.due_date).days
        with transaction.atomic():
            if milestone.reminded_at is None and Milestone.objects.filter(
                pk=milestone.pk, reminded_at__isnull=True
            ).update(reminded_at=now):
                notifications.milestone_overdue(milestone, escalate=False)
                log(
                    milestone.project.challenge.list,
                    EventKind.REMINDED,
                    None,
                    challenge=milestone.project.challenge,
                    project=milestone.project,
                    milestone=milestone,
                    note=_("逾期 %(n)s 天") % {"n": days},
                )
                counts["reminded"] += 1
            if (
                days >= settings.CHALLENGE_ESCALATE_DAYS
                and milestone.escalated_at is None
                and Milestone.objects.filter(pk=milestone.pk, escalated_at__isnull=True).update(
                    escalated_at=now
                )
            ):
                notifications.milestone_overdue(milestone, escalate=True)
                log(
                    milestone.project.challenge.list,
                    EventKind.ESCALATED,
                    None,
                    challenge=milestone.project.challenge,
                    project=milestone.project,
                    milestone=milestone,
                    note=_("逾期 %(n)s 天") % {"n": days},
                )
                counts["escalated"] += 1
    return counts


# ---- achievements ---------------------------------------------------------------------------------------
def save_achievement(achievement: Achievement | None, *, by, data: Mapping) -> Achievement:
    """A provider (institution or firm) adds or changes an achievement on the supply list."""
    scope = _scope(by)
    if scope is None or not scope.is_provider:
        raise WorkflowError(_("只有科研机构、企业等资源方可以发布科技成果。"), code="forbidden")
    if achievement is None:
        achievement = Achievement(organization_id=scope.org_id, created_by=by)
    elif not Achievement.objects.editable_by(by).filter(pk=achievement.pk).exists():
        raise WorkflowError(_("只能修改本单位的科技成果。"), code="forbidden")
    for name in ACHIEVEMENT_INPUTS:
        if name in data:
            setattr(achievement, name, data[name])
    _clean(achievement, exclude=["created_by", "organization"])
    achievement.save()
    return achievement
