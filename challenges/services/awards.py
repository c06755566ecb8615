"""Awards and cancellation, milestones and acceptance, achievements."""

from collections.abc import Iterable, Mapping
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges import notifications, workflow
from challenges.choices import (
    BidState,
    ChallengeState,
    EventKind,
    MilestoneState,
    ProjectState,
    UnsuccessfulReason,
)
from challenges.models import (
    Achievement,
    Challenge,
    ChallengeList,
    Milestone,
    MilestoneReport,
    Project,
)
from challenges.services.common import ACHIEVEMENT_INPUTS, _clean, _move, _scope, _store_files, log
from challenges.services.lists import _list_move
from core.errors import ServiceError as WorkflowError
from matchmaking import services as order_services
from matchmaking.choices import OrderState, OutcomeType


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
    return _end_without_award(
        challenge, "no_award", EventKind.NO_AWARD, UnsuccessfulReason.NO_AWARD, by, reason
    )


def cancel_challenge(challenge: Challenge, *, by, reason: str) -> Challenge:
    """The publisher withdraws (撤榜) an open or reviewing challenge; bids are unsuccessful (本榜已撤榜)."""
    return _end_without_award(
        challenge, "cancel", EventKind.CANCELLED, UnsuccessfulReason.CANCELLED, by, reason
    )


def _end_without_award(challenge: Challenge, action: str, kind, unsuccessful, by, reason: str) -> Challenge:
    """Move the challenge by `action` with the reason, log it as `kind`, and mark every bid unsuccessful."""
    with transaction.atomic():
        locked, from_state = _move(
            "challenge",
            challenge,
            action,
            by,
            reason=reason,
            changes={"state_note": reason.strip(), "decided_at": timezone.now()},
        )
        log(
            challenge.list,
            kind,
            by,
            challenge=challenge,
            from_state=from_state,
            to_state=locked.state,
            note=reason,
        )
        _decide_bids(challenge, set(), unsuccessful, by)
    return challenge


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
