"""django-filter sets shared by the 揭榜挂帅 pages and API lists."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from challenges.choices import ChallengeState, Maturity
from challenges.models import Achievement, Challenge


class _Bootstrap:
    """Bootstrap classes on the filter widgets."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, f in self.form.fields.items():
            f.widget.attrs["class"] = "form-control" if name == "q" else "form-select"


class ChallengeFilter(_Bootstrap, django_filters.FilterSet):
    """Open challenges: search, state, chain type."""

    q = django_filters.CharFilter(label=_("搜索"), method="search")
    state = django_filters.ChoiceFilter(label=_("状态"), choices=ChallengeState.choices)

    class Meta:
        model = Challenge
        fields = ["q", "state", "chain_type"]

    def search(self, queryset, name, value):
        """Title, description, targets, keywords."""
        return queryset.filter(
            Q(title__icontains=value) | Q(summary__icontains=value) | Q(targets__icontains=value)
            | Q(keywords__icontains=value)
        )  # fmt: skip


class AchievementFilter(_Bootstrap, django_filters.FilterSet):
    """The supply list: search, maturity, chain type."""

    q = django_filters.CharFilter(label=_("搜索"), method="search")
    maturity = django_filters.ChoiceFilter(label=_("成熟度"), choices=Maturity.choices)

    class Meta:
        model = Achievement
        fields = ["q", "maturity", "chain_type"]

    def search(self, queryset, name, value):
        """Title, field, summary, keywords, organization."""
        return queryset.filter(
            Q(title__icontains=value) | Q(field__icontains=value) | Q(summary__icontains=value)
            | Q(keywords__icontains=value) | Q(organization__name__icontains=value)
        )  # fmt: skip
