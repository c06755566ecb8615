"""Events API: events and their state actions, proposed invitees, registrations, meetings, the scheduler, outcomes
and calendar files. Thin like the orders API: objects come through `visible_to` (404 outside), changes through
`events.services`, what a viewer reads through `events.policy`; errors in the one error shape.
"""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, filters, mixins, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response

from accounts.models import Organization
from accounts.scoping import Scope
from chains.models import ChainType, County, CountyChain
from core.errors import ServiceError, error_responses, from_service_error
from core.filters import StrictFilterBackend
from events import ical, policy, proposals, services, workflow
from events.choices import EventKind, OutcomeResult
from events.filtersets import EventFilter, MeetingFilter
from events.models import Event, Meeting, MeetingOutcome, Registration
from matchmaking.choices import OrderKind
from matchmaking.models import Order

MAX_AMOUNT = 10**15
EVENT_ACTIONS = ("submit", "approve", "publish", "cancel", "return", "finish")


def call(service, *args, **kwargs):
    """Run a service, turning its WorkflowError into the API's error for it."""
    try:
        return service(*args, **kwargs)
    except ServiceError as exc:  # the events' own and the order services' (an outcome moving an order)
        raise from_service_error(exc) from exc


def _read(serializer, event) -> policy.EventReadPolicy:
    cache = serializer.context.setdefault("event_policies", {})
    if event.pk not in cache:
        cache[event.pk] = policy.for_event(serializer.context["request"].user, event)
    return cache[event.pk]


# --- serializers ---------------------------------------------------------------------------------


class MeetingSlotSerializer(serializers.Serializer):
    """One meeting slot."""

    number = serializers.IntegerField(help_text="场次（从 0 起）")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class DockingEventSerializer(serializers.ModelSerializer):
    """对接活动 as clients read it (`state_note` as the read policy allows: the organizer's, or a cancel reason)."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    organizer_name = serializers.CharField(source="organizer.name", read_only=True)
    order_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=OrderKind.choices), read_only=True
    )
    slots = serializers.SerializerMethodField()
    state_note = serializers.SerializerMethodField()
    can_manage = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id", "title", "kind", "kind_label", "state", "state_label", "organizer", "organizer_name", "chains",
            "chain_types", "counties", "order_kinds", "place", "online_url", "starts_at", "ends_at",
            "registration_deadline", "capacity", "agenda", "requires_approval", "meetings_start", "slot_minutes",
            "slot_count", "table_count", "slots", "state_note", "can_manage", "is_sample", "published_at",
            "scheduled_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_slots(self, obj) -> list[dict]:
        return MeetingSlotSerializer(
            [{"number": n, "starts_at": s, "ends_at": e} for n, s, e in obj.slots], many=True
        ).data

    def get_state_note(self, obj) -> str:
        return _read(self, obj).state_note(obj)

    def get_can_manage(self, obj) -> bool:
        return _read(self, obj).manage


class EventWriteSerializer(serializers.Serializer):
    """What an organizer sends to create or change an event."""

    title = serializers.CharField(max_length=120, min_length=4)
    kind = serializers.ChoiceField(choices=EventKind.choices)
    chains = serializers.PrimaryKeyRelatedField(queryset=CountyChain.objects.all(), many=True, required=False)
    chain_types = serializers.PrimaryKeyRelatedField(
        queryset=ChainType.objects.all(), many=True, required=False
    )
    counties = serializers.PrimaryKeyRelatedField(queryset=County.objects.all(), many=True, required=False)
    order_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=OrderKind.choices), required=False, max_length=4
    )
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    online_url = serializers.URLField(max_length=200, required=False, allow_blank=True, default="")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    registration_deadline = serializers.DateTimeField()
    capacity = serializers.IntegerField(min_value=2, max_value=5000, required=False, default=100)
    agenda = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    requires_approval = serializers.BooleanField(required=False, default=False)
    meetings_start = serializers.DateTimeField(required=False, allow_null=True, default=None)
    slot_minutes = serializers.IntegerField(min_value=5, max_value=240, required=False, default=20)
    slot_count = serializers.IntegerField(min_value=0, max_value=96, required=False, default=0)
    table_count = serializers.IntegerField(min_value=0, max_value=1000, required=False, default=0)


class EventReasonSerializer(serializers.Serializer):
    """A required reason (return, cancel)."""

    reason = serializers.CharField(max_length=1000, help_text="原因（必填）")


class EventNoteSerializer(serializers.Serializer):
    """An optional note."""

    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ProposedOrderSerializer(serializers.Serializer):
    """An order a proposed invitee would serve."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    score = serializers.FloatField()


class ProposedInviteeSerializer(serializers.Serializer):
    """A provider proposed from matching: its reasons and the orders it would serve."""

    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField()
    score = serializers.FloatField(help_text="其可服务各需求的匹配度之和")
    best = serializers.FloatField(help_text="最高匹配度")
    reasons = serializers.ListField(child=serializers.CharField())
    orders = ProposedOrderSerializer(many=True)
    invited = serializers.BooleanField()
    registered = serializers.BooleanField()


class InviteSerializer(serializers.Serializer):
    """Invite an organization (e.g. a proposed invitee)."""

    organization = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class EventInvitationSerializer(serializers.Serializer):
    """An invitation sent."""

    id = serializers.IntegerField()
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization.name")
    created_at = serializers.DateTimeField()


class RegistrationSerializer(serializers.ModelSerializer):
    """报名 as clients read it (`contact_phone` only for the organizer and the organization itself)."""

    organization_name = serializers.CharField(source="organization.name", read_only=True)
    organization_kind = serializers.CharField(source="organization.kind", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    contact_phone = serializers.SerializerMethodField()
    unavailable_slots = serializers.ListField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = Registration
        fields = [
            "id", "event", "organization", "organization_name", "organization_kind", "state", "state_label",
            "invited", "attendees", "contact_phone", "profile", "unavailable_slots", "checked_in_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_contact_phone(self, obj) -> str:
        return _read(self, obj.event).contact_of(obj)


class RegisterSerializer(serializers.Serializer):
    """What an organization sends to register."""

    attendees = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    profile = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    unavailable_slots = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=95), required=False, default=list, max_length=96
    )


class MeetingOutcomeSerializer(serializers.ModelSerializer):
    """洽谈结果 of one side."""

    organization_name = serializers.CharField(source="organization.name", read_only=True)
    result_label = serializers.CharField(source="get_result_display", read_only=True)

    class Meta:
        model = MeetingOutcome
        fields = [
            "id", "meeting", "organization", "organization_name", "result", "result_label", "amount_yuan", "note",
            "order_step", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    """1:1 洽谈 as clients read it: `requester` and `invitee` are organization ids; `slot` and `table` count
    from 0 (null until scheduled); `outcomes` as the read policy allows (the organizer both, a side its own)."""

    requester = serializers.IntegerField(source="requester.organization_id", read_only=True)
    requester_name = serializers.CharField(source="requester.organization.name", read_only=True)
    invitee = serializers.IntegerField(source="invitee.organization_id", read_only=True)
    invitee_name = serializers.CharField(source="invitee.organization.name", read_only=True)
    order_title = serializers.SerializerMethodField()
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    starts_at = serializers.DateTimeField(read_only=True, allow_null=True)
    ends_at = serializers.DateTimeField(read_only=True, allow_null=True)
    outcomes = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id", "event", "order", "order_title", "requester", "requester_name", "invitee", "invitee_name",
            "message", "state", "state_label", "slot", "table", "starts_at", "ends_at", "decision_note",
            "created_at", "outcomes",
        ]  # fmt: skip
        read_only_fields = fields

    def get_order_title(self, obj) -> str | None:
        readable = self.context.get("readable_orders")
        if readable is None:
            readable = policy.readable_orders(self.context["request"].user, [obj])
        return obj.order.title if obj.order_id in readable else None

    @extend_schema_field(MeetingOutcomeSerializer(many=True))
    def get_outcomes(self, obj) -> list[dict]:
        rows = self.context.get("outcomes")
        if rows is None:
            rows = list(_read(self, obj.event).outcomes([obj.pk]).select_related("organization"))
        return MeetingOutcomeSerializer([r for r in rows if r.meeting_id == obj.pk], many=True).data


class MeetingRequestSerializer(serializers.Serializer):
    """A meeting request: the other participant (organization id), optionally an order of one of the two."""

    invitee = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="对方单位（组织 id）")
    order = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, allow_null=True, default=None
    )
    message = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class OutcomeInputSerializer(serializers.Serializer):
    """A side's outcome; `advance_order` moves the meeting's order one step through the order's own rules."""

    result = serializers.ChoiceField(choices=OutcomeResult.choices)
    amount_yuan = serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT, required=False, allow_null=True)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    advance_order = serializers.BooleanField(required=False, default=False)


class ScheduleRunSerializer(serializers.Serializer):
    """What a scheduler run did."""

    meetings = serializers.IntegerField(help_text="排定的洽谈数")
    greedy_meetings = serializers.IntegerField(help_text="首次适配基线的洽谈数")
    bound = serializers.IntegerField(help_text="求解器证明的上界")
    optimal = serializers.BooleanField()
    kept = serializers.IntegerField(help_text="保留原位的已排期洽谈数")
    moved = serializers.IntegerField(help_text="调整或撤销排期的已排期洽谈数")
    seconds = serializers.FloatField()


class FileNegotiation(BaseContentNegotiation):
    """Downloads: the file itself is returned as is; errors are always JSON in the one error shape."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return (renderers[0], renderers[0].media_type)


# --- viewsets ------------------------------------------------------------------------------------


def _event_action(summary, request=None):
    return extend_schema(
        summary=summary,
        request=request,
        responses={200: DockingEventSerializer, **error_responses(400, 401, 403, 404, 409)},
    )


@extend_schema_view(
    list=extend_schema(
        summary="对接活动列表（本人可见范围内）",
        responses={200: DockingEventSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="对接活动详情", responses={200: DockingEventSerializer, **error_responses(401, 404)}
    ),
    create=extend_schema(
        summary="创建对接活动草稿（省级部门、设区市、县域、资源方）",
        request=EventWriteSerializer,
        responses={201: DockingEventSerializer, **error_responses(400, 401, 403)},
    ),
)
class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """对接活动：列表、详情、创建、状态操作、拟邀请单位、报名、洽谈、排期与日程文件。"""

    serializer_class = DockingEventSerializer
    filterset_class = EventFilter
    filter_backends = [
        StrictFilterBackend,
        filters.SearchFilter,
        filters.OrderingFilter,
    ]
    search_fields = ["title", "place", "organizer__name"]
    ordering_fields = ["starts_at", "created_at", "id"]
    ordering = ["-starts_at", "-id"]
    http_method_names = ["get", "post", "head", "options"]

    # Sub-resources read the event only for its id, scope and organizer: no target lists fetched for them.
    SUB_RESOURCES = frozenset(
        {"registrations", "meetings", "proposed_invitees", "invitations", "schedule", "calendar_ics"}
    )

    def get_queryset(self):
        queryset = Event.objects.visible_to(self.request.user).select_related("organizer")
        if self.action in self.SUB_RESOURCES:
            return queryset
        return queryset.prefetch_related("chains", "chain_types", "counties")

    def _parse(self, serializer_class, **kwargs) -> dict:
        parsed = serializer_class(data=self.request.data, **kwargs)
        parsed.is_valid(raise_exception=True)
        return parsed.validated_data

    def _fresh(self, event, status_code=status.HTTP_200_OK):
        event = (
            Event.objects.visible_to(self.request.user)
            .select_related("organizer")
            .prefetch_related("chains", "chain_types", "counties")
            .get(pk=event.pk)
        )
        return Response(
            DockingEventSerializer(event, context=self.get_serializer_context()).data, status=status_code
        )

    def _require_actor(self, obj, action_name):
        if not workflow.may_any(obj, action_name, Scope.for_user(self.request.user)):
            raise exceptions.PermissionDenied(
                _("您无权执行“%(action)s”。") % {"action": workflow.ACTION_LABELS[action_name]},
                code="permission_denied",
            )

    def _require_manager(self, event):
        if not policy.for_event(self.request.user, event).manage:
            raise exceptions.PermissionDenied(_("只有主办方可以执行此操作。"), code="permission_denied")

    def create(self, request, *args, **kwargs):
        data = self._parse(EventWriteSerializer)
        return self._fresh(call(services.create_event, by=request.user, data=data), status.HTTP_201_CREATED)

    @_event_action("提交审核（主办方）")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        event = self.get_object()
        self._require_actor(event, "submit")
        return self._fresh(call(services.submit_event, event, by=request.user))

    @_event_action("审核通过（管理员）", EventNoteSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        event = self.get_object()
        self._require_actor(event, "approve")
        data = self._parse(EventNoteSerializer)
        return self._fresh(call(services.approve_event, event, by=request.user, note=data["note"]))

    @_event_action("退回修改（管理员）", EventReasonSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        event = self.get_object()
        self._require_actor(event, "return")
        data = self._parse(EventReasonSerializer)
        return self._fresh(call(services.return_event, event, by=request.user, reason=data["reason"]))

    @_event_action("发布（主办方或管理员，须已审核）")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        event = self.get_object()
        self._require_actor(event, "publish")
        return self._fresh(call(services.publish_event, event, by=request.user))

    @_event_action("取消活动（主办方或管理员）", EventReasonSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        event = self.get_object()
        self._require_actor(event, "cancel")
        data = self._parse(EventReasonSerializer)
        return self._fresh(call(services.cancel_event, event, by=request.user, reason=data["reason"]))

    @_event_action("结束活动（主办方或管理员）")
    @action(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        event = self.get_object()
        self._require_actor(event, "finish")
        return self._fresh(call(services.finish_event, event, by=request.user))

    @extend_schema(
        summary="拟邀请单位（来自自动匹配：理由及可服务的需求；仅主办方）",
        responses={200: ProposedInviteeSerializer(many=True), **error_responses(401, 403, 404)},
    )
    @action(
        detail=True, methods=["get"], url_path="proposed-invitees", filter_backends=[], pagination_class=None
    )
    def proposed_invitees(self, request, pk=None):
        event = self.get_object()
        self._require_manager(event)
        return Response(ProposedInviteeSerializer(proposals.propose(event, request.user), many=True).data)

    @extend_schema(
        summary="邀请单位参会（主办方，一键邀请拟邀请单位）",
        request=InviteSerializer,
        responses={201: EventInvitationSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def invitations(self, request, pk=None):
        event = self.get_object()
        self._require_manager(event)
        data = self._parse(InviteSerializer)
        organization = Organization.objects.filter(pk=data["organization"], is_active=True).first()
        if organization is None:
            raise exceptions.ValidationError({"organization": [_("单位不存在。")]})
        proposal = next(
            (p for p in proposals.propose(event, request.user) if p.organization_id == organization.pk), None
        )
        invitation = call(
            services.invite,
            event,
            by=request.user,
            organization=organization,
            score=proposal.best if proposal else None,
            orders=[o["id"] for o in proposal.orders] if proposal else [],
        )
        return Response(EventInvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="报名列表（主办方：全部；参会单位：已报名的单位及本单位的报名）",
        responses={200: RegistrationSerializer(many=True), **error_responses(401, 404)},
    )
    @extend_schema(
        methods=["POST"],
        summary="报名参会（本单位）",
        request=RegisterSerializer,
        responses={201: RegistrationSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def registrations(self, request, pk=None):
        event = self.get_object()
        context = self.get_serializer_context()
        if request.method == "POST":
            data = self._parse(RegisterSerializer)
            registration = call(services.register, event, by=request.user, **data)
            registration = Registration.objects.select_related("organization", "event").get(
                pk=registration.pk
            )
            return Response(
                RegistrationSerializer(registration, context=context).data, status=status.HTTP_201_CREATED
            )
        queryset = (
            Registration.objects.visible_to(request.user)
            .filter(event=event)
            .select_related("organization", "event")
            .order_by("created_at", "pk")
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(RegistrationSerializer(page, many=True, context=context).data)

    @extend_schema(
        methods=["GET"],
        summary="洽谈列表（主办方：全部；参会单位：本单位的洽谈）",
        responses={200: MeetingSerializer(many=True), **error_responses(400, 401, 404)},
    )
    @extend_schema(
        methods=["POST"],
        summary="申请洽谈（已报名的参会单位）",
        request=MeetingRequestSerializer,
        responses={201: MeetingSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        filter_backends=[StrictFilterBackend],
    )
    def meetings(self, request, pk=None):
        event = self.get_object()
        if request.method == "POST":
            data = self._parse(MeetingRequestSerializer)
            invitee = Registration.objects.filter(event=event, organization_id=data["invitee"]).first()
            if invitee is None:
                raise exceptions.ValidationError({"invitee": [_("对方未报名本活动。")]})
            order = None
            if data["order"]:
                order = Order.objects.visible_to(request.user).filter(pk=data["order"]).first()
                if order is None:
                    raise exceptions.ValidationError({"order": [_("需求不存在。")]})
            meeting = call(
                services.request_meeting,
                event,
                by=request.user,
                invitee=invitee,
                order=order,
                message=data["message"],
            )
            return Response(
                self._meetings_data([Meeting.objects.with_list_relations().get(pk=meeting.pk)])[0], 201
            )
        queryset = MeetingFilter(
            request.query_params,
            queryset=Meeting.objects.visible_to(request.user).filter(event=event).with_list_relations(),
        )
        if not queryset.is_valid():
            raise exceptions.ValidationError(queryset.errors)
        page = self.paginate_queryset(queryset.qs.order_by("slot", "table", "pk"))
        return self.get_paginated_response(self._meetings_data(page))

    def _meetings_data(self, meetings):
        context = self.get_serializer_context()
        context["readable_orders"] = policy.readable_orders(self.request.user, meetings)
        outcomes = []
        if meetings:
            read = policy.for_event(self.request.user, meetings[0].event)
            outcomes = list(read.outcomes([m.pk for m in meetings]).select_related("organization"))
        context["outcomes"] = outcomes
        return MeetingSerializer(meetings, many=True, context=context).data

    @extend_schema(
        summary="运行排期（主办方）：把已接受的洽谈排入场次和洽谈桌，已排期的洽谈尽量不动",
        request=None,
        responses={200: ScheduleRunSerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def schedule(self, request, pk=None):
        event = self.get_object()
        self._require_manager(event)
        result = call(services.schedule_event, event, by=request.user)
        return Response(
            ScheduleRunSerializer(
                {
                    "meetings": result.meetings,
                    "greedy_meetings": result.greedy_meetings,
                    "bound": result.bound,
                    "optimal": result.optimal,
                    "kept": result.kept,
                    "moved": result.moved,
                    "seconds": round(result.seconds, 3),
                }
            ).data
        )

    @extend_schema(
        summary="个人日程（iCalendar）：活动本身及本单位已排期的洽谈（主办方：全部洽谈）",
        responses={
            (200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="iCalendar 文件"),
            **error_responses(401, 404),
        },
    )
    def calendar_ics(self, request, pk=None):
        event = self.get_object()
        read = policy.for_event(request.user, event)
        meetings = list(ical.agenda_meetings(event, request.user, read))
        body = ical.build(event, meetings, policy.readable_orders(request.user, meetings))
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
        return response


@extend_schema_view(
    retrieve=extend_schema(
        summary="报名详情", responses={200: RegistrationSerializer, **error_responses(401, 404)}
    ),
)
class RegistrationViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """报名：详情，主办方审核，取消。"""

    serializer_class = RegistrationSerializer
    filter_backends = []

    def get_queryset(self):
        return Registration.objects.visible_to(self.request.user).select_related("organization", "event")

    def _act(self, service, action_name, **kwargs):
        registration = self.get_object()
        if not workflow.may_any(registration, action_name, Scope.for_user(self.request.user)):
            raise exceptions.PermissionDenied(_("您无权处理该报名。"), code="permission_denied")
        call(service, registration, by=self.request.user, **kwargs)
        fresh = self.get_queryset().get(pk=registration.pk)
        return Response(RegistrationSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="通过报名（主办方）",
        request=EventNoteSerializer,
        responses={200: RegistrationSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = EventNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(services.approve_registration, "approve", note=data.validated_data["note"])

    @extend_schema(
        summary="不通过报名（主办方）",
        request=EventNoteSerializer,
        responses={200: RegistrationSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        data = EventNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(services.decline_registration, "decline", note=data.validated_data["note"])

    @extend_schema(
        summary="取消报名（本单位或主办方）",
        request=None,
        responses={200: RegistrationSerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act(services.cancel_registration, "cancel")


@extend_schema_view(
    retrieve=extend_schema(
        summary="洽谈详情", responses={200: MeetingSerializer, **error_responses(401, 404)}
    ),
)
class MeetingViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """洽谈：详情，受邀方接受或谢绝，取消，双方登记结果。"""

    serializer_class = MeetingSerializer
    filter_backends = []

    def get_queryset(self):
        return Meeting.objects.visible_to(self.request.user).with_list_relations()

    def retrieve(self, request, *args, **kwargs):
        return Response(self._data(self.get_object()))

    def _data(self, meeting) -> dict:
        meeting = self.get_queryset().get(pk=meeting.pk)
        return MeetingSerializer(meeting, context=self.get_serializer_context()).data

    def _act(self, service, action_name, **kwargs):
        meeting = self.get_object()
        if not workflow.may_any(meeting, action_name, Scope.for_user(self.request.user)):
            raise exceptions.PermissionDenied(_("您无权处理该洽谈。"), code="permission_denied")
        call(service, meeting, by=self.request.user, **kwargs)
        return Response(self._data(meeting))

    @extend_schema(
        summary="接受洽谈申请（受邀方）",
        request=EventNoteSerializer,
        responses={200: MeetingSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        data = EventNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(services.accept_meeting, "accept", note=data.validated_data["note"])

    @extend_schema(
        summary="谢绝洽谈申请（受邀方）",
        request=EventNoteSerializer,
        responses={200: MeetingSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        data = EventNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(services.decline_meeting, "decline", note=data.validated_data["note"])

    @extend_schema(
        summary="取消洽谈（任一方或主办方）",
        request=None,
        responses={200: MeetingSerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act(services.cancel_meeting, "cancel")

    @extend_schema(
        summary="登记洽谈结果（洽谈双方各一次；可推进关联需求）",
        description="advance_order=true 时按需求自身的规则推进一步：资源方响应需求，县域接受该资源方的响应，"
        "或接单部门办结需求。",
        request=OutcomeInputSerializer,
        responses={201: MeetingOutcomeSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        meeting = self.get_object()
        if not workflow.actor_may(workflow.SIDE, Scope.for_user(request.user), meeting):
            raise exceptions.PermissionDenied(_("只有洽谈双方可以登记结果。"), code="permission_denied")
        parsed = OutcomeInputSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        outcome = call(
            services.record_outcome,
            meeting,
            by=request.user,
            result=data["result"],
            amount_yuan=data.get("amount_yuan"),
            note=data["note"],
            advance_order=data["advance_order"],
        )
        outcome = MeetingOutcome.objects.select_related("organization").get(pk=outcome.pk)
        return Response(MeetingOutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)


def register_routes(router) -> list:
    """Mount the events API on the project's router; return the extra URL patterns to put before the router's
    (the calendar file also answers at `/events/{id}/calendar.ics`, without the router's trailing slash)."""
    from django.urls import path

    router.register("events", EventViewSet, basename="event")
    router.register("registrations", RegistrationViewSet, basename="registration")
    router.register("meetings", MeetingViewSet, basename="meeting")
    calendar_view = EventViewSet.as_view(
        {"get": "calendar_ics"},
        renderer_classes=[renderers.JSONRenderer],
        content_negotiation_class=FileNegotiation,
        filter_backends=[],
        pagination_class=None,
    )
    return [path("events/<int:pk>/calendar.ics", calendar_view, name="event-calendar-file")]
