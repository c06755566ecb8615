"""The only functions that change orders. Each validates (via `workflow`), writes its OrderEvent in the same
transaction, tells the parties (`notifications`) and enqueues tasks on commit. They raise only
`WorkflowError`, which views turn into messages and the API into 400/409.
"""

from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.db.models.query import MAX_GET_RESULTS
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from accounts.choices import OrgKind
from accounts.models import Organization
from accounts.scoping import Scope
from core import compiledsql, dispatch
from matchmaking import action_reads as reads
from matchmaking import notifications, sla, tally, texts, workflow
from matchmaking.beneficiaries import parse_beneficiaries, set_beneficiaries
from matchmaking.choices import DeclineReason, EventKind, OrderState, OutcomeType, ProposalState
from matchmaking.models import (
    AFTER_PUBLICATION,
    RESPONDABLE,
    Attachment,
    Invitation,
    Notification,
    Order,
    OrderEvent,
    OrderRoute,
    Outcome,
    Proposal,
)
from matchmaking.order_inputs import apply_inputs, check_complete, full_clean, invalid, store_files
from matchmaking.timeline import NOT_PROGRESS, log_event
from matchmaking.workflow import WorkflowError


def _scope(user) -> Scope | None:
    return Scope.for_user(user) if user is not None else None


def _enqueue_matching(order) -> None:
    # Robust (core.dispatch): if the broker is unreachable the committed change stands and the error is
    # logged; the periodic sweeper re-enqueues matching that never ran.
    dispatch.enqueue_on_commit("matchmaking.tasks.matching.match_order", order.pk)


def _locked(pk: int) -> Order:
    """The order row, locked for this transaction where the database supports it: what
    `Order.objects.select_for_update().select_related("county__prefecture", "chain").get(pk=pk)` runs, compiled
    once per connection (`core.compiledsql`; every transition of every action locks its order so)."""

    def build(marker):
        # what QuerySet.get() runs: no ordering, at most MAX_GET_RESULTS rows where a locking query may be limited
        qs = Order.objects.select_for_update().select_related("county__prefecture", "chain").filter(pk=marker)
        qs = qs.order_by()
        if connections[qs.db].features.supports_select_for_update_with_limit:
            qs.query.set_limits(high=MAX_GET_RESULTS)
        return qs

    found = compiledsql.fetch("services locked order", build, pk)
    if not found:
        raise Order.DoesNotExist(f"{Order._meta.object_name} matching query does not exist.")
    if len(found) > 1:  # not for a primary key; as QuerySet.get() says it
        raise Order.MultipleObjectsReturned(f"get() returned more than one {Order._meta.object_name}")
    return found[0]


def _transition(
    order,
    action: str,
    by,
    *,
    reason: str = "",
    note: str = "",
    changes: dict | None = None,
    event_kind: str | None = None,
    conflict_code: str = "illegal_transition",
    note_message: dict | None = None,
    after_update=None,
    savepoint: bool = True,
) -> Order:
    """Validate and apply one transition atomically: lock, check, conditional update, log, notify.
    `after_update(locked, now)` runs after the update, before the summary cells are recounted (e.g. routes); it
    may return the order's routed bodies' ids as they then are (else they are read). `savepoint=False` for a
    caller whose own atomic block wraps this call and lets its errors through (its block rolls them back)."""
    seen_state = order.state
    with transaction.atomic(savepoint=savepoint):
        locked = _locked(order.pk)
        if locked.state != seen_state and conflict_code == "claim_conflict" and locked.claimed_by_body_id:
            raise WorkflowError(
                _("该需求已被“%(body)s”接单。") % {"body": locked.claimed_by_body}, code="claim_conflict"
            )
        # The routed bodies (read once, the order locked): the summary cells before and after count them, and
        # the check of a routed body's action (claim) uses them in place of its own query.
        routed = None
        if after_update is None and locked.state in AFTER_PUBLICATION:
            routed = tally.routed_bodies(locked.pk)
        transition = workflow.check(locked, action, _scope(by), reason, routed=routed)
        now = timezone.now()
        fields = {"state": transition.target, "updated_at": now, **(changes or {})}
        progress = (event_kind or transition.target) not in NOT_PROGRESS
        if progress:  # the event logged below is progress: its clock is stamped by this update
            fields["last_progress_at"] = now
        if transition.needs_reason or reason:
            fields.setdefault("state_note", (reason or "").strip()[:1000])
        # The conditional UPDATE is the guard against a concurrent change (e.g. two bodies claiming at once).
        # The dashboards' summary cells the order is in before and after, from the locked row (current).
        row = tally.row_of(locked)
        after = {**row, **{name: value for name, value in fields.items() if name in row}}
        if after_update is None and routed is None and after["state"] in AFTER_PUBLICATION:
            routed = tally.routed_bodies(locked.pk)
        before = tally.cells_of(locked.pk, row, routed)
        if not Order.objects.filter(pk=locked.pk, state=locked.state).update(**fields):
            raise WorkflowError(_("需求状态已被他人更改，请刷新后重试。"), code=conflict_code)
        routed_after = routed
        if after_update is not None:
            routed_after = after_update(locked, now)  # e.g. routes: the cells after count them (None: read)
        # The order's row is locked (its lock comes before its cells'): its own figures before and after
        # (with its outcome and responses, which the transition leaves as they are) move between its cells.
        outcome, responses = tally.order_extras(locked.pk)
        after_cells = tally.cells_of(locked.pk, after, routed_after)
        tally.shift_order(
            before,
            after_cells,
            tally.contribution(row, outcome, responses),
            tally.contribution(after, outcome, responses),
            responses,
        )
        from_state = locked.state
        for name, value in fields.items():
            setattr(locked, name, value)
        event = log_event(
            locked,
            event_kind or transition.target,
            by,
            from_state=from_state,
            to_state=transition.target,
            note=(reason or note or "").strip(),
            note_message=None if reason else note_message,
            at=now,
            stamped=progress,
        )
        notifications.notify_event(event)
    _copy_state(locked, order)
    return locked


def _copy_state(src: Order, dst: Order) -> None:
    if src is dst:
        return
    for field in Order._meta.concrete_fields:
        setattr(dst, field.attname, getattr(src, field.attname))


def create_order(*, by, data: dict, files=(), beneficiaries=None) -> Order:
    """Create a draft order for the official's county (the county comes from the organization, never input);
    `beneficiaries` names the firms it serves (see matchmaking.beneficiaries)."""
    scope = _scope(by)
    if scope is None or not scope.is_county:
        raise WorkflowError(_("只有县域官员可以开单。"), code="forbidden")
    order = Order(county_id=scope.county_id, created_by=by, state=OrderState.DRAFT)
    changed = apply_inputs(order, data)
    full_clean(order, changed)
    if beneficiaries:
        parse_beneficiaries(beneficiaries)  # refuse before anything is written
    with transaction.atomic():
        now = timezone.now()
        order.match_inputs_at = order.last_progress_at = now  # the creation's event is progress: stamped here
        order.save()
        log_event(order, EventKind.CREATED, by, to_state=OrderState.DRAFT, at=now, stamped=True)
        store_files(order, files, by)
        if beneficiaries:
            set_beneficiaries(order, by=by, items=beneficiaries)
    return order


def update_order(order: Order, *, by, data: dict, files=(), beneficiaries=None) -> Order:
    """Change an editable order's content (county: drafts and returned ones; administrators: any);
    `beneficiaries`, when given (a list, possibly empty), replaces the firms it serves."""
    if not Order.objects.editable_by(by).filter(pk=order.pk).exists():
        raise WorkflowError(_("该需求当前不能修改。"), code="forbidden")
    if order.is_final:
        raise WorkflowError(_("已办结的需求不能修改。"), code="illegal_transition")
    changed = apply_inputs(order, data)
    full_clean(order, changed)
    if beneficiaries is not None:
        parse_beneficiaries(beneficiaries)
    with transaction.atomic():
        if beneficiaries is not None:
            set_beneficiaries(order, by=by, items=beneficiaries)
        match_changed = any(name in Order.MATCH_INPUTS for name in changed)
        if match_changed:
            order.match_inputs_at = timezone.now()
        order.save()
        if changed:
            labels = [texts.translatable(order._meta.get_field(n).verbose_name) for n in changed]
            log_event(order, EventKind.EDITED, by, note_message=texts.message(N_("修改了：%(f)s"), f=labels))
        store_files(order, files, by)
        if match_changed and order.state in (OrderState.SUBMITTED, OrderState.PUBLISHED):
            _enqueue_matching(order)
    return order


def submit_order(order: Order, *, by) -> Order:
    """County sends a draft (or returned) order for moderation once it is complete (the common fields, the
    kind's own fields, a desired date within the window); matching starts on commit."""
    check_complete(order)
    now = timezone.now()
    order = _transition(order, "submit", by, changes={"submitted_at": now, "state_note": ""})
    _enqueue_matching(order)
    return order


def approve_order(order: Order, *, by, note: str = "") -> Order:
    """Administrator publishes a submitted order and routes it to every body that handles its kind."""
    bodies, routed = [], []

    def route(locked, _at):
        # routed before the recount, so the routed bodies' summary cells are counted with the publication
        bodies.extend(reads.handling(locked.kind))
        OrderRoute.objects.bulk_create(
            [OrderRoute(order_id=locked.pk, body=b, routed_at=now) for b in bodies], ignore_conflicts=True
        )
        # the order's routes as they now are (any it had before included), read once for the cells and the
        # ROUTED event's recipients
        routed.extend(tally.routed_bodies(locked.pk))
        return routed

    with transaction.atomic():
        now = timezone.now()
        order = _transition(
            order,
            "approve",
            by,
            note=note,
            changes={"published_at": now, "claim_due_at": sla.claim_deadline_after(now), "state_note": ""},
            event_kind="published",
            after_update=route,
            savepoint=False,  # this block wraps it: an error rolls both back
        )
        if bodies:
            event = log_event(
                order, EventKind.ROUTED, by, note="、".join(b.short_name or b.name for b in bodies)
            )
            notifications.notify_event(event, routed=tuple(routed))
        else:
            notifications.notify_escalation(order, N_("没有承接该类型需求的省级部门"))
        dispatch.enqueue_on_commit("matchmaking.tasks.orders.notify_order_subscribers", order.pk)
        # The matched providers are told by the PUBLISHED event's receiver (matchmaking.signals), once.
    return order


def return_order(order: Order, *, by, reason: str) -> Order:
    """Administrator sends a submitted order back to the county for changes, with a reason."""
    return _transition(order, "return", by, reason=reason)


def reject_order(order: Order, *, by, reason: str) -> Order:
    """Administrator refuses a submitted order (不予受理), with a reason."""
    return _transition(order, "reject", by, reason=reason, changes={"finished_at": timezone.now()})


def withdraw_order(order: Order, *, by, reason: str = "") -> Order:
    """County withdraws its order before any body has claimed it."""
    return _transition(order, "withdraw", by, note=reason, changes={"finished_at": timezone.now()})


def claim_order(order: Order, *, by, handler=None) -> Order:
    """A routed provincial body takes a published order and names its handler; of two at once, one wins."""
    scope = _scope(by)
    handler = handler or by
    if scope is None or not scope.is_body:
        raise WorkflowError(_("只有省级部门可以接单。"), code="forbidden")
    if handler.organization_id != scope.org_id or not handler.is_active:
        raise WorkflowError(
            _("承办人须为本部门的在岗人员。"), code="invalid", errors={"handler": _("承办人无效。")}
        )
    now = timezone.now()
    return _transition(
        order,
        "claim",
        by,
        note_message=texts.message(N_("承办人：%(h)s"), h=str(handler)),
        changes={
            "claimed_by_body_id": scope.body_id,
            "claimed_by_org_id": scope.org_id,
            "handler_id": handler.pk,
            "claimed_at": now,
        },
        conflict_code="claim_conflict",
    )


def invite_provider(order: Order, *, by, provider_org: Organization, note: str = "") -> Invitation:
    """The taking body (or an administrator) invites a provider organization to respond."""
    scope = _scope(by)
    if not (scope and (scope.is_admin or workflow.actor_may(workflow.TAKING_BODY, scope, order))):
        raise WorkflowError(_("只有接单部门可以邀请资源方。"), code="forbidden")
    if order.state not in RESPONDABLE:
        raise WorkflowError(_("需求当前状态不接受响应邀请。"), code="illegal_transition")
    if provider_org.kind != OrgKind.PROVIDER or not provider_org.is_active:
        raise WorkflowError(_("只能邀请已启用的资源方。"), code="invalid")
    with transaction.atomic():
        invitation, created = Invitation.objects.get_or_create(
            order=order, provider_org=provider_org, defaults={"invited_by": by, "note": note[:500]}
        )
        if not created:
            raise WorkflowError(_("已邀请过该资源方。"), code="invalid")
        log_event(order, EventKind.INVITED, by, note=provider_org.name)
        notifications.notify_invitation(invitation, by)
    return invitation


def respond(
    order: Order,
    *,
    by,
    proposal: str,
    amount_yuan: int | None = None,
    terms: str = "",
    rate_percent=None,
    term_months: int | None = None,
    experts: str = "",
    files=(),
) -> Proposal:
    """An approved provider that may see a respondable order responds with a proposal (one per organization)."""
    scope = _scope(by)
    if scope is None or not scope.is_provider:
        raise WorkflowError(_("只有资源方可以响应需求。"), code="forbidden")
    if not reads.visible_order(by, order):
        raise WorkflowError(_("该需求对您不可见。"), code="forbidden")
    if order.state not in RESPONDABLE:
        raise WorkflowError(_("需求当前状态不接受响应。"), code="illegal_transition")
    if reads.has_responded(order, scope.org_id):
        raise WorkflowError(_("贵单位已响应过该需求。"), code="duplicate")
    response = Proposal(
        order=order,
        provider_org_id=scope.org_id,
        author=by,
        proposal=proposal,
        amount_yuan=amount_yuan,
        terms=terms,
        rate_percent=rate_percent,
        term_months=term_months,
        experts=experts,
    )
    try:
        # the order (read above) and the organization (the responder's own) need no existence queries
        response.full_clean(exclude=["author", "order", "provider_org"], validate_constraints=False)
    except ValidationError as exc:
        raise invalid(exc) from exc
    with transaction.atomic():
        try:
            with transaction.atomic():
                response.save()
        except IntegrityError as exc:  # a concurrent response of the same organization won the unique rule
            raise WorkflowError(_("贵单位已响应过该需求。"), code="duplicate") from exc
        store_files(order, files, by, response=response)
        event = log_event(order, EventKind.RESPONDED, by, note=by.organization.name)
        notifications.notify_event(event)
    reads.note_responded(order, scope.org_id)
    return response


def _decidable(response: Proposal, by) -> Order:
    order = response.order
    if not Proposal.objects.editable_by(by).filter(pk=response.pk).exists():
        raise WorkflowError(_("只有开单县域可以处理响应。"), code="forbidden")
    if response.state != ProposalState.PENDING:
        raise WorkflowError(_("该响应已处理。"), code="illegal_transition")
    return order


def accept_proposal(response: Proposal, *, by, note: str = "") -> Proposal:
    """County accepts a response; the first acceptance moves a claimed order into docking."""
    order = _decidable(response, by)
    if order.state not in (OrderState.CLAIMED, OrderState.DOCKING):
        raise WorkflowError(_("需求须先由省级部门接单，才能确认响应。"), code="illegal_transition")
    with transaction.atomic():
        updated = Proposal.objects.filter(pk=response.pk, state=ProposalState.PENDING).update(
            state=ProposalState.ACCEPTED, decision_note=note[:1000], decided_at=timezone.now()
        )
        if not updated:
            raise WorkflowError(_("该响应已处理。"), code="illegal_transition")
        # the summary cells count the accepted response (no figure: the order is not closed)
        tally.shift_response(order.pk, response.provider_org_id, responses=0, accepted=1)
        response.refresh_from_db()
        log_event(order, EventKind.ACCEPTED, by, note=response.provider_org.name)
        notifications.notify_response_decision(response, True, by)
        if order.state == OrderState.CLAIMED:
            _transition(order, "dock", by, note=response.provider_org.name, event_kind=EventKind.DOCKING)
    return response


def decline_proposal(response: Proposal, *, by, reason_category: str, note: str = "") -> Proposal:
    """County declines a response with a reason category and a note the provider sees."""
    _decidable(response, by)
    if reason_category not in DeclineReason.values:
        raise WorkflowError(
            _("请选择未采纳原因。"), code="invalid", errors={"reason_category": _("请选择未采纳原因。")}
        )
    with transaction.atomic():
        updated = Proposal.objects.filter(pk=response.pk, state=ProposalState.PENDING).update(
            state=ProposalState.DECLINED,
            reason_category=reason_category,
            decision_note=note[:1000],
            decided_at=timezone.now(),
        )
        if not updated:
            raise WorkflowError(_("该响应已处理。"), code="illegal_transition")
        response.refresh_from_db()
        log_event(
            response.order,
            EventKind.DECLINED,
            by,
            note_message=texts.message(
                N_("%(org)s（%(reason)s）"),
                org=response.provider_org.name,
                reason=texts.translatable(DeclineReason(response.reason_category).label),
            ),
        )
        notifications.notify_response_decision(response, False, by)
    return response


def resolve_order(
    order: Order,
    *,
    by,
    outcome_type: str,
    summary: str,
    amount_yuan: int | None = None,
    partner: str = "",
    date: date | None = None,
) -> Order:
    """The taking body closes the loop with an outcome (type, amount, partner, date, summary)."""
    outcome = Outcome(
        order=order,
        outcome_type=outcome_type,
        amount_yuan=amount_yuan,
        partner=partner or "",
        date=date or timezone.localdate(),
        summary=summary or "",
        recorded_by=by,
    )
    if outcome_type not in OutcomeType.values:
        raise WorkflowError(
            _("请选择成果类型。"), code="invalid", errors={"outcome_type": _("请选择成果类型。")}
        )
    try:
        outcome.full_clean(exclude=["order", "recorded_by"])
    except ValidationError as exc:
        raise invalid(exc) from exc
    with transaction.atomic():
        order = _transition(
            order, "resolve", by, note=outcome.summary, changes={"finished_at": timezone.now()}
        )
        outcome.order = order
        outcome.save()
    return order


def close_order(order: Order, *, by, reason: str) -> Order:
    """The taking body closes a claimed order without a result, with the reason."""
    return _transition(order, "close", by, reason=reason, changes={"finished_at": timezone.now()})


def comment_order(order: Order, *, by, note: str) -> OrderEvent:
    """A coordinator (city), the county, a body or an administrator adds a 协调意见 to the timeline."""
    scope = _scope(by)
    note = (note or "").strip()
    if scope is None or scope.is_provider or not reads.visible_order(by, order):
        raise WorkflowError(_("您不能对该需求发表协调意见。"), code="forbidden")
    if not note:
        raise WorkflowError(_("请填写协调意见。"), code="invalid", errors={"note": _("请填写协调意见。")})
    if len(note) > 1000:
        raise WorkflowError(_("协调意见不超过 1000 字。"), code="invalid", errors={"note": _("过长。")})
    with transaction.atomic():
        event = log_event(order, EventKind.COMMENTED, by, note=note)
        notifications.notify_event(event)
    return event


def add_attachments(order: Order, *, by, files) -> list[Attachment]:
    """The county adds files to an order it may still edit."""
    if not Order.objects.editable_by(by).filter(pk=order.pk).exists():
        raise WorkflowError(_("该需求当前不能上传附件。"), code="forbidden")
    with transaction.atomic():
        return store_files(order, files, by)


def expire_order(order: Order) -> Order:
    """The system expires a submitted or published order whose desired date has passed."""
    if order.due_date >= timezone.localdate():
        raise WorkflowError(_("需求尚未到期。"), code="illegal_transition")
    return _transition(
        order,
        "expire",
        None,
        note_message=texts.message(N_("已超过期望完成日期 %(d)s"), d=str(order.due_date)),
        changes={"finished_at": timezone.now()},
    )


def expire_due_orders(today: date | None = None) -> int:
    """Expire every submitted or published order past its desired date; return how many."""
    today = today or timezone.localdate()
    count = 0
    for order in Order.objects.filter(
        state__in=[OrderState.SUBMITTED, OrderState.PUBLISHED], due_date__lt=today
    ):
        try:
            expire_order(order)
        except WorkflowError:
            continue
        count += 1
    return count


def remind_unclaimed_orders(now: datetime | None = None) -> int:
    """Remind routed bodies of published orders unclaimed after N working days and escalate (once each)."""
    now = now or timezone.now()
    count = 0
    candidates = Order.objects.filter(
        state=OrderState.PUBLISHED, claim_reminded_at__isnull=True, claim_due_at__lt=now
    )
    for order in candidates.select_related("county__prefecture"):
        with transaction.atomic():
            if not Order.objects.filter(
                pk=order.pk, state=OrderState.PUBLISHED, claim_reminded_at__isnull=True
            ).update(claim_reminded_at=now):
                continue
            text = texts.message(N_("发布已超过 %(n)s 个工作日仍无人接单"), n=settings.CLAIM_SLA_WORKING_DAYS)
            bodies = OrderRoute.objects.filter(order=order).values_list("body_id", flat=True)
            notifications.notify_reminder(order, notifications.body_users(bodies), text)
            notifications.notify_escalation(order, text)
            log_event(order, EventKind.REMINDED, None, note_message=text, at=now)
            log_event(order, EventKind.ESCALATED, None, note_message=text, at=now)
        count += 1
    return count


def remind_stalled_orders(now: datetime | None = None) -> int:
    """Remind the taking body of claimed orders without progress for M days and escalate (once per stall)."""
    now = now or timezone.now()
    count = 0
    candidates = Order.objects.filter(state__in=[OrderState.CLAIMED, OrderState.DOCKING]).select_related(
        "county__prefecture"
    )
    for order in candidates:
        deadline = sla.progress_deadline(order)
        if deadline is None or deadline >= now:
            continue
        if order.progress_reminded_at and order.progress_reminded_at >= (
            order.last_progress_at or order.claimed_at
        ):
            continue
        with transaction.atomic():
            Order.objects.filter(pk=order.pk).update(progress_reminded_at=now)
            text = texts.message(N_("接单后已超过 %(n)s 天无进展"), n=settings.PROGRESS_SLA_DAYS)
            notifications.notify_reminder(order, notifications.taking_body_users(order), text)
            notifications.notify_escalation(order, text)
            log_event(order, EventKind.REMINDED, None, note_message=text, at=now)
            log_event(order, EventKind.ESCALATED, None, note_message=text, at=now)
        count += 1
    return count


def mark_notifications_read(user, ids=None) -> int:
    """Mark the user's notifications (all, or the given ids) as read; return how many changed."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
