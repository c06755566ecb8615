"""Challenge lists and their challenges, the bidding deadline and the review panel."""

from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import OrgKind, ProviderKind
from accounts.models import Organization
from accounts.scoping import Scope
from challenges import notifications
from challenges.choices import (
    BidState,
    ChallengeState,
    EventKind,
    ListState,
    RegionScope,
)
from challenges.models import (
    Bid,
    Challenge,
    ChallengeList,
    PanelMember,
    ReviewCriterion,
)
from challenges.services.common import (
    CHALLENGE_INPUTS,
    LIST_INPUTS,
    _clean,
    _move,
    _scope,
    log,
)
from core import dispatch
from core.errors import ServiceError as WorkflowError
from matchmaking.models import Order


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
