"""The events domain: docking events, invitations, registrations, 1:1 meetings, outcomes and the event log."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.scoping import NOTHING, Scope, ScopedQuerySet
from core.validators import validate_one_line
from events.choices import (
    EventKind,
    EventState,
    LogKind,
    MeetingState,
    OrderStep,
    OutcomeResult,
    RegistrationState,
    ReminderKind,
)

# States in which an event is listed to every approved user (its public catalogue page).
PUBLIC_STATES = (EventState.PUBLISHED, EventState.FINISHED)
# Meeting states that still occupy the two sides (a new request between them is a duplicate).
ACTIVE_MEETING_STATES = (
    MeetingState.REQUESTED,
    MeetingState.ACCEPTED,
    MeetingState.SCHEDULED,
    MeetingState.HELD,
)


class EventQuerySet(ScopedQuerySet):
    """Events: the organizer sees its own in every state; everyone approved sees published and finished ones,
    and those it was invited to or registered for."""

    def visibility_q(self, scope: Scope) -> Q:
        """Own (organizer) events; public ones; events the organization is invited to or registered for."""
        mine = Q(organizer_id=scope.org_id)
        involved = Q(pk__in=Registration.objects.filter(organization_id=scope.org_id).values("event_id")) | Q(
            pk__in=EventInvitation.objects.filter(organization_id=scope.org_id).values("event_id")
        )
        public = Q(state__in=PUBLIC_STATES) | (Q(state=EventState.CANCELLED) & Q(published_at__isnull=False))
        return mine | public | (involved & ~Q(state__in=[EventState.DRAFT, EventState.SUBMITTED]))

    def editability_q(self, scope: Scope) -> Q:
        """The organizer manages its own events."""
        return Q(organizer_id=scope.org_id) if scope.org_id else NOTHING

    def with_list_relations(self):
        """What list pages render for each event, fetched in the same query."""
        return self.select_related("organizer")


class Event(models.Model):
    """对接活动: a docking event organized by a body, city, county or provider, approved before publication."""

    title = models.CharField(_("活动名称"), max_length=120, validators=[validate_one_line])
    kind = models.CharField(_("活动类型"), max_length=16, choices=EventKind.choices)
    state = models.CharField(
        _("状态"), max_length=16, choices=EventState.choices, default=EventState.DRAFT, db_index=True
    )
    organizer = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="organized_events",
        verbose_name=_("主办方"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    chains = models.ManyToManyField(
        "chains.CountyChain", blank=True, related_name="docking_events", verbose_name=_("目标县域重点产业链")
    )
    chain_types = models.ManyToManyField(
        "chains.ChainType", blank=True, related_name="docking_events", verbose_name=_("目标产业链类型")
    )
    counties = models.ManyToManyField(
        "chains.County", blank=True, related_name="docking_events", verbose_name=_("目标县域")
    )
    order_kinds = models.JSONField(_("目标需求类型"), default=list, blank=True)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    online_url = models.URLField(_("线上链接"), blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    registration_deadline = models.DateTimeField(_("报名截止时间"))
    capacity = models.PositiveIntegerField(
        _("参会单位上限"), default=100, validators=[MinValueValidator(2), MaxValueValidator(5000)]
    )
    agenda = models.TextField(_("议程"), max_length=4000, blank=True)
    requires_approval = models.BooleanField(_("报名需主办方审核"), default=False)
    meetings_start = models.DateTimeField(_("洽谈开始时间"), null=True, blank=True)
    slot_minutes = models.PositiveIntegerField(
        _("每场洽谈时长（分钟）"), default=20, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    slot_count = models.PositiveIntegerField(_("洽谈场次数"), default=0, validators=[MaxValueValidator(96)])
    table_count = models.PositiveIntegerField(_("洽谈桌数"), default=0, validators=[MaxValueValidator(1000)])
    state_note = models.CharField(_("状态说明"), max_length=1000, blank=True)
    is_sample = models.BooleanField(_("示例"), default=False)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    scheduled_at = models.DateTimeField(_("最近排期时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("对接活动")
        verbose_name_plural = _("对接活动")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:detail", args=[self.pk])

    @property
    def has_meetings(self) -> bool:
        """Whether the event offers 1:1 meeting slots."""
        return bool(self.meetings_start and self.slot_count and self.table_count)

    def slot_start(self, slot: int):
        """When slot number `slot` (0-based) begins."""
        return self.meetings_start + timedelta(minutes=self.slot_minutes * slot)

    def slot_end(self, slot: int):
        """When slot number `slot` ends."""
        return self.slot_start(slot) + timedelta(minutes=self.slot_minutes)

    @property
    def slots(self) -> list[tuple[int, object, object]]:
        """(number, start, end) of every meeting slot."""
        if not self.has_meetings:
            return []
        return [(i, self.slot_start(i), self.slot_end(i)) for i in range(self.slot_count)]


class EventInvitation(models.Model):
    """邀请参会: the organizer invites an organization, usually one the matching proposed."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("活动")
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="event_invitations",
        verbose_name=_("受邀单位"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("邀请人"),
    )
    score = models.FloatField(_("匹配度"), null=True, blank=True)
    orders = models.JSONField(_("可服务的需求编号"), default=list, blank=True)
    created_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("参会邀请")
        verbose_name_plural = _("参会邀请")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "organization"], name="event_invitation_unique")
        ]

    def __str__(self):
        return f"{self.event} → {self.organization}"


class RegistrationQuerySet(ScopedQuerySet):
    """Registrations: the organizer sees its events'; an organization its own; approved participants each other's
    approved registrations (the catalogue of participants)."""

    def visibility_q(self, scope: Scope) -> Q:
        """Organizer's events, own registrations, and fellow approved participants."""
        mine = Registration.objects.filter(organization_id=scope.org_id, state=RegistrationState.APPROVED)
        return (
            Q(event__organizer_id=scope.org_id)
            | Q(organization_id=scope.org_id)
            | (Q(state=RegistrationState.APPROVED) & Q(event_id__in=mine.values("event_id")))
        )


class Registration(models.Model):
    """报名: an organization taking part in an event, with its check-in code and the slots it cannot attend."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("活动")
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="event_registrations",
        verbose_name=_("参会单位"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("报名人"),
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=RegistrationState.choices, default=RegistrationState.PENDING
    )
    invited = models.BooleanField(_("受邀报名"), default=False)
    attendees = models.CharField(_("参会人员"), max_length=200, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    profile = models.TextField(_("单位介绍与对接意向"), max_length=2000, blank=True)
    unavailable_slots = models.JSONField(_("不能参加的洽谈场次"), default=list, blank=True)
    checkin_token = models.UUIDField(_("签到码"), default=uuid.uuid4, unique=True, editable=False)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    decision_note = models.CharField(_("审核说明"), max_length=500, blank=True)
    is_sample = models.BooleanField(_("示例"), default=False)
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["event", "created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "organization"], name="registration_unique")]

    def __str__(self):
        return f"{self.organization} @ {self.event}"


class MeetingQuerySet(ScopedQuerySet):
    """Meetings: the organizer sees its events' meetings, a participant its own."""

    def visibility_q(self, scope: Scope) -> Q:
        """Organizer's events; meetings the organization requested or was asked to."""
        return (
            Q(event__organizer_id=scope.org_id)
            | Q(requester__organization_id=scope.org_id)
            | Q(invitee__organization_id=scope.org_id)
        )

    def with_list_relations(self):
        """What meeting lists render for each row, fetched in the same query."""
        return self.select_related("requester__organization", "invitee__organization", "order", "event")


class Meeting(models.Model):
    """1:1 洽谈: one participant asks another for a meeting, optionally about an order; placed by the scheduler."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("活动")
    )
    requester = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="meetings_requested", verbose_name=_("申请方")
    )
    invitee = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="meetings_invited", verbose_name=_("受邀方")
    )
    order = models.ForeignKey(
        "matchmaking.Order",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_meetings",
        verbose_name=_("相关需求"),
    )
    message = models.CharField(_("洽谈事由"), max_length=500, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=MeetingState.choices, default=MeetingState.REQUESTED, db_index=True
    )
    slot = models.PositiveIntegerField(_("场次"), null=True, blank=True)
    table = models.PositiveIntegerField(_("桌号"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请人"),
    )
    decision_note = models.CharField(_("答复说明"), max_length=500, blank=True)
    decided_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    is_sample = models.BooleanField(_("示例"), default=False)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("洽谈")
        verbose_name_plural = _("洽谈")
        ordering = ["event", "slot", "table", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "slot", "table"],
                condition=Q(slot__isnull=False),
                name="meeting_table_once_per_slot",
            ),
            models.CheckConstraint(condition=~Q(requester=models.F("invitee")), name="meeting_two_sides"),
        ]

    def __str__(self):
        return f"{self.requester.organization} ↔ {self.invitee.organization}"

    @property
    def table_label(self) -> str:
        """The table number people read (1-based)."""
        return "" if self.table is None else str(self.table + 1)

    @property
    def slot_label(self) -> str:
        """The slot number people read (1-based)."""
        return "" if self.slot is None else str(self.slot + 1)

    @property
    def starts_at(self):
        """When the meeting begins (None until scheduled)."""
        return None if self.slot is None else self.event.slot_start(self.slot)

    @property
    def ends_at(self):
        """When the meeting ends (None until scheduled)."""
        return None if self.slot is None else self.event.slot_end(self.slot)

    def side_of(self, org_id) -> str:
        """'requester', 'invitee' or '' for an organization."""
        if self.requester.organization_id == org_id:
            return "requester"
        if self.invitee.organization_id == org_id:
            return "invitee"
        return ""


class MeetingOutcome(models.Model):
    """洽谈结果: what one side of a meeting records afterwards (each side once)."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("洽谈")
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("登记单位")
    )
    result = models.CharField(_("洽谈结果"), max_length=16, choices=OutcomeResult.choices)
    amount_yuan = models.BigIntegerField(
        _("金额（元）"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10**15)]
    )
    note = models.CharField(_("说明"), max_length=1000, blank=True)
    order_step = models.CharField(_("需求推进"), max_length=16, choices=OrderStep.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    is_sample = models.BooleanField(_("示例"), default=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("洽谈结果")
        verbose_name_plural = _("洽谈结果")
        ordering = ["meeting", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "organization"], name="meeting_outcome_once")
        ]

    def __str__(self):
        return f"{self.meeting} · {self.get_result_display()}"


class EventReminder(models.Model):
    """A reminder sent to a registration (one of each kind: the idempotency key of the reminder task)."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("报名")
    )
    kind = models.CharField(_("提醒类型"), max_length=8, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("活动提醒")
        verbose_name_plural = _("活动提醒")
        constraints = [models.UniqueConstraint(fields=["registration", "kind"], name="event_reminder_once")]

    def __str__(self):
        return f"{self.registration} · {self.get_kind_display()}"


class EventLog(models.Model):
    """One thing that happened in an event (append-only): state changes, registrations, meetings, outcomes."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="log", verbose_name=_("活动"))
    kind = models.CharField(_("类型"), max_length=16, choices=LogKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作单位"),
    )
    from_state = models.CharField(_("原状态"), max_length=16, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, blank=True)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("洽谈")
    )
    note = models.CharField(_("说明"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("活动记录")
        verbose_name_plural = _("活动记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.event} · {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        """Log entries are written once and never changed."""
        if self.pk is not None:
            raise ValueError("EventLog is append-only.")
        super().save(*args, **kwargs)
