"""Django admin for 揭榜挂帅 (read-mostly: state changes go through the services and pages)."""

from django.contrib import admin

from challenges.models import (
    Achievement,
    Bid,
    Challenge,
    ChallengeEvent,
    ChallengeList,
    Milestone,
    Project,
    Review,
    ReviewCriterion,
)


class CriterionInline(admin.TabularInline):
    """Review criteria of a challenge."""

    model = ReviewCriterion
    extra = 0


@admin.register(ChallengeList)
class ChallengeListAdmin(admin.ModelAdmin):
    """榜单."""

    list_display = ("title", "publisher_org", "county", "state", "published_at", "is_sample")
    list_filter = ("state", "is_sample")
    search_fields = ("title",)
    readonly_fields = ("state", "submitted_at", "approved_at", "published_at", "closed_at")


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    """榜."""

    list_display = ("title", "list", "chain_type", "funding_yuan", "bid_deadline", "state")
    list_filter = ("state", "chain_type")
    search_fields = ("title", "summary")
    readonly_fields = ("state",)
    inlines = [CriterionInline]


@admin.register(Bid)
class BidAdmin(admin.ModelAdmin):
    """揭榜方案 (the admin list is for support; sealed content is in the pages)."""

    list_display = ("challenge", "bidder_org", "state", "submitted_at")
    list_filter = ("state",)

    def get_queryset(self, request):
        """Administrators are bound by the seal here too."""
        return Bid.objects.visible_to(request.user)


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """评审意见."""

    list_display = ("bid", "expert", "total", "submitted_at")


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """攻关项目."""

    list_display = ("challenge", "bid", "state", "accepted_at")


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    """项目里程碑."""

    list_display = ("title", "project", "due_date", "state")
    list_filter = ("state",)


@admin.register(Achievement)
class AchievementAdmin(admin.ModelAdmin):
    """科技成果."""

    list_display = ("title", "organization", "field", "maturity", "is_published", "is_sample")
    list_filter = ("maturity", "is_published")
    search_fields = ("title", "field", "summary")


@admin.register(ChallengeEvent)
class ChallengeEventAdmin(admin.ModelAdmin):
    """Append-only events."""

    list_display = ("created_at", "kind", "list", "challenge", "actor")
    list_filter = ("kind",)

    def has_change_permission(self, request, obj=None):
        """Events are never changed."""
        return False

    def has_delete_permission(self, request, obj=None):
        """Events are never deleted."""
        return False
