"""Bids: eligibility, submission, files, withdrawal; conflict declarations and reviews."""

from collections.abc import Mapping, Sequence

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
    RegionScope,
)
from challenges.models import (
    Bid,
    BidMilestone,
    BidPartner,
    Challenge,
    ChallengeFile,
    ConflictDeclaration,
    PanelMember,
    Review,
    ReviewScore,
)
from challenges.review import weighted_total
from challenges.services.common import BID_INPUTS, _clean, _move, _scope, _store_files, log
from core.errors import ServiceError as WorkflowError


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
