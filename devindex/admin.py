"""Django admin of the index: reference rows read-only where services own the changes."""

from django.contrib import admin, messages

from devindex import services
from devindex.models import (
    Computation,
    CountyTier,
    Dimension,
    IndexEvent,
    IndexResult,
    Indicator,
    IndicatorReport,
    MethodVersion,
)
from devindex.workflow import DevIndexError


@admin.register(Dimension)
class DimensionAdmin(admin.ModelAdmin):
    """维度 (names and descriptions)."""

    list_display = ("name", "code", "position")


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    """指标 (units, bounds, descriptions; directions and weights change through method versions)."""

    list_display = ("name", "code", "dimension", "unit", "direction", "integer")
    list_filter = ("dimension",)
    readonly_fields = ("direction",)


@admin.register(MethodVersion)
class MethodVersionAdmin(admin.ModelAdmin):
    """方法版本: append-only (new versions come from the method page)."""

    list_display = ("number", "normalisation", "min_coverage", "note", "created_by", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IndicatorReport)
class IndicatorReportAdmin(admin.ModelAdmin):
    """年度填报 (read-only: values change through the report pages, the API or imports)."""

    list_display = ("county", "year", "state", "origin", "submitted_at", "reviewed_at")
    list_filter = ("year", "state", "origin", "county__prefecture")
    search_fields = ("county__name",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IndexResult)
class IndexResultAdmin(admin.ModelAdmin):
    """指数结果 (read-only: computed by the task, published ones loaded as reference data)."""

    list_display = ("year", "county", "source", "total", "rank", "coverage", "is_sample")
    list_filter = ("year", "source", "is_sample")
    search_fields = ("county__name",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Computation)
class ComputationAdmin(admin.ModelAdmin):
    """计算记录."""

    list_display = ("year", "method_version", "counties_ranked", "counties_unranked", "computed_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CountyTier)
class CountyTierAdmin(admin.ModelAdmin):
    """县域层级: 产业特色县 and 试点县 are set here (through the services); 工业强县 follow the index."""

    list_display = ("year", "tier", "county", "source", "note")
    list_filter = ("year", "tier", "source")
    search_fields = ("county__name",)
    fields = ("county", "year", "tier", "note")

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.tier != "industrial_strong"

    def save_model(self, request, obj, form, change):
        try:
            saved = services.set_tier(obj.county, obj.year, obj.tier, by=request.user, note=obj.note)
        except DevIndexError as exc:
            messages.error(request, exc.message)
            return
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        try:
            services.remove_tier(obj, by=request.user)
        except DevIndexError as exc:
            messages.error(request, exc.message)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(IndexEvent)
class IndexEventAdmin(admin.ModelAdmin):
    """指数记录 (append-only)."""

    list_display = ("created_at", "action", "county", "year", "actor", "note")
    list_filter = ("action", "year")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
