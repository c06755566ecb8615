"""Notifications API: the caller's own in-app messages, and marking them read."""

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.errors import error_responses
from core.pagination import RowValues
from matchmaking import services
from matchmaking.api.serializers import drf_datetime, drf_label, drf_text
from matchmaking.choices import NotificationKind
from matchmaking.models import Notification
from matchmaking.texts import render

# The columns of a notification list's rows (`notification_row`), read with `QuerySet.values()`.
NOTIFICATION_ROW_VALUES = (
    "id", "kind", "order_id", "title", "body", "title_message", "body_message", "created_at", "read_at",
)  # fmt: skip


def notification_row(values: dict, zone, labels: dict | None = None) -> dict:
    """One notification (its `NOTIFICATION_ROW_VALUES`) as `NotificationSerializer` shows it, without DRF's
    per-field work: the same keys in the same order, the same values. `labels`, when given, keeps the kind
    labels already translated for this page."""
    return {
        "id": values["id"],
        "kind": values["kind"],
        "kind_label": drf_label(NotificationKind, values["kind"], labels),  # get_kind_display
        "order": values["order_id"],
        "title": drf_text(render(values["title_message"], values["title"])),  # display_title
        "body": drf_text(render(values["body_message"], values["body"])),  # display_body
        "created_at": drf_datetime(values["created_at"], zone),
        "read_at": drf_datetime(values["read_at"], zone),
        "is_read": values["read_at"] is not None,
    }


class NotificationListSerializer(serializers.ListSerializer):
    """A page of notifications given as `NOTIFICATION_ROW_VALUES` dicts (the list view), each row built by
    `notification_row`; model instances take DRF's own way."""

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        if type(self.child) is not NotificationSerializer or not all(isinstance(row, dict) for row in rows):
            return super().to_representation(rows)
        zone = timezone.get_current_timezone()
        labels: dict = {}  # (choices, value) -> label, for this page (one language)
        return [notification_row(row, zone, labels) for row in rows]


class NotificationSerializer(serializers.ModelSerializer):
    """站内消息."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    title = serializers.CharField(
        source="display_title", read_only=True, help_text="in the request's language"
    )
    body = serializers.CharField(source="display_body", read_only=True, help_text="in the request's language")
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "order", "title", "body", "created_at", "read_at", "is_read"]
        read_only_fields = fields
        list_serializer_class = NotificationListSerializer

    def get_is_read(self, obj) -> bool:
        return obj.read_at is not None


class NotificationFilter(django_filters.FilterSet):
    """Unread only, and by kind."""

    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", help_text="true：只看未读"
    )
    kind = django_filters.ChoiceFilter(choices=NotificationKind.choices)

    class Meta:
        model = Notification
        fields = ["unread", "kind"]


# The list's query parameters whose SQL depends on their value alone (see `NotificationViewSet.list`).
COMPILED_FILTERS = frozenset({"unread", "kind"})
COMPILED_LIST_PARAMETERS = COMPILED_FILTERS | {"page", "page_size"}


def _filters(params) -> tuple:
    return tuple((name, tuple(values)) for name, values in params.lists() if name in COMPILED_FILTERS)


@extend_schema_view(
    list=extend_schema(
        summary="我的站内消息",
        responses={200: NotificationSerializer(many=True), **error_responses(400, 401, 404)},
    ),
)
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """站内消息：只列出本人的消息。"""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]
    search_fields = ["title", "body"]

    def get_queryset(self):
        return Notification.objects.filter(recipient_id=self.request.user.pk)

    def list(self, request, *args, **kwargs):
        # The rows as plain values (`NOTIFICATION_ROW_VALUES`), shaped by the list serializer.
        params = request.query_params
        if COMPILED_LIST_PARAMETERS.issuperset(params):
            # Only filters whose SQL is a function of their value: the count and page from SQL compiled once
            # per recipient and filters (`core.compiledsql`); a bad value fails while building, never remembered.
            key = ("api notifications", request.user.pk, _filters(params))
            build = lambda: self.filter_queryset(self.get_queryset())  # noqa: E731 - built only when compiled
            rows = RowValues(build, NOTIFICATION_ROW_VALUES, compiled_key=key)
        else:
            rows = RowValues(self.filter_queryset(self.get_queryset()), NOTIFICATION_ROW_VALUES)
        page = self.paginate_queryset(rows)
        if page is not None:
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return Response(self.get_serializer(rows[:], many=True).data)

    @extend_schema(
        summary="标记一条消息为已读",
        request=None,
        responses={200: NotificationSerializer, **error_responses(401, 404)},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.mark_notifications_read(request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        summary="全部标记为已读",
        request=None,
        responses={
            200: inline_serializer("MarkedRead", {"updated": serializers.IntegerField()}),
            **error_responses(401),
        },
    )
    @action(detail=False, methods=["post"], url_path="read-all", url_name="read-all", filter_backends=[])
    def read_all(self, request):
        return Response({"updated": services.mark_notifications_read(request.user)})
