"""The filter sets of event lists, shared by the pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from events.choices import EventKind, EventState, MeetingState
from events.models import Event, Meeting


class EventFilter(django_filters.FilterSet):
    """Events by kind, state and start date."""

    kind = django_filters.MultipleChoiceFilter(label=_("活动类型"), choices=EventKind.choices, distinct=False)
    state = django_filters.MultipleChoiceFilter(label=_("状态"), choices=EventState.choices, distinct=False)
    starts_after = django_filters.DateFilter(
        label=_("开始不早于"),
        field_name="starts_at",
        lookup_expr="date__gte",
        help_text="开始日期不早于（YYYY-MM-DD）",
    )
    starts_before = django_filters.DateFilter(
        label=_("开始不晚于"),
        field_name="starts_at",
        lookup_expr="date__lte",
        help_text="开始日期不晚于（YYYY-MM-DD）",
    )

    class Meta:
        model = Event
        fields = ["kind", "state"]


class MeetingFilter(django_filters.FilterSet):
    """Meetings by state."""

    state = django_filters.MultipleChoiceFilter(label=_("状态"), choices=MeetingState.choices, distinct=False)

    class Meta:
        model = Meeting
        fields = ["state"]
