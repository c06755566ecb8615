"""Serializers of the event API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation

from chains.models import ChainType, County, CountyChain
from events import policy
from events.api.common import MAX_AMOUNT, _read
from events.choices import EventKind, OutcomeResult
from events.models import Event, Meeting, MeetingOutcome, Registration
from matchmaking.choices import OrderKind


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
