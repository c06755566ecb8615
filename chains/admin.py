"""Django admin for regions, chain map and catalog, with spreadsheet import/export."""

from django.contrib import admin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from chains import imports, resources
from chains.models import (
    ChainEvent,
    ChainLink,
    ChainType,
    County,
    CountyChain,
    Enterprise,
    FinancialProduct,
    Fund,
    Institution,
    Prefecture,
    ProvincialBody,
    TalentResource,
    WhiteListEntry,
)
from core.audit import AuditedAdminMixin


class CatalogAdmin(AuditedAdminMixin, ImportExportModelAdmin):
    """Catalog admin: import (CSV/XLSX, all-or-nothing), export, filters and search."""

    list_per_page = 50
    readonly_fields = ("updated_at",)

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def import_action(self, request, **kwargs):
        """Files above IMPORT_SYNC_MAX_ROWS rows are imported by a background job with a progress page."""
        upload = request.FILES.get("import_file") if request.method == "POST" else None
        kind = imports.kind_for_model(self.model)
        if upload is not None and kind and self.has_import_permission(request):
            job_id = imports.start_if_large(request.user, kind, upload)
            if job_id:
                return redirect("ops:import_status", job_id=job_id)
        return super().import_action(request, **kwargs)


@admin.register(Prefecture)
class PrefectureAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """设区市."""

    list_display = ("name", "position")
    search_fields = ("name",)


@admin.register(County)
class CountyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """县域."""

    list_display = ("name", "prefecture", "kind")
    list_filter = ("prefecture", "kind")
    search_fields = ("name",)
    list_select_related = ("prefecture",)


class ChainLinkInline(admin.TabularInline):
    """Links of a chain type, in order."""

    model = ChainLink
    extra = 0
    fields = ("position", "name", "stage", "keywords")


@admin.register(ChainType)
class ChainTypeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """产业链类型."""

    list_display = ("name", "code", "source", "position")
    list_filter = ("source",)
    search_fields = ("name", "code", "links__name", "links__keywords")
    inlines = [ChainLinkInline]

    def get_search_results(self, request, queryset, search_term):
        results, _dup = super().get_search_results(request, queryset, search_term)
        return results.distinct(), False


@admin.register(ChainLink)
class ChainLinkAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """产业链环节."""

    list_display = ("name", "chain_type", "stage", "position", "keywords")
    list_filter = ("stage", "chain_type")
    search_fields = ("name", "keywords", "chain_type__name")


class ChainEventInline(admin.TabularInline):
    """The chain's history (read-only: it is append-only)."""

    model = ChainEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "actor_label", "from_status", "to_status", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CountyChain)
class CountyChainAdmin(CatalogAdmin):
    """县域重点产业链."""

    resource_classes = [resources.CountyChainResource]
    list_display = ("name", "county", "prefecture", "chain_type", "status", "source")
    list_filter = ("status", "source", "county__prefecture", "chain_type")
    search_fields = ("name", "county__name", "chain_type__name", "evidence")
    list_select_related = ("county__prefecture", "chain_type")
    autocomplete_fields = ("county", "leader_firms")
    filter_horizontal = ("links",)
    # The status moves only through the declaration workflow (pages, API) or the official list's import.
    readonly_fields = (
        "status", "status_note", "declared_by", "declared_at", "reviewed_at", "confirmed_at", "created_at",
        "updated_at",
    )  # fmt: skip
    inlines = [ChainEventInline]

    @admin.display(description=_("设区市"), ordering="county__prefecture")
    def prefecture(self, obj):
        return obj.county.prefecture


@admin.register(Institution)
class InstitutionAdmin(CatalogAdmin):
    """科研机构."""

    resource_classes = [resources.InstitutionResource]
    list_display = ("name", "kind", "location", "in_fujian", "source")
    list_filter = ("kind", "in_fujian", "source")
    search_fields = (*Institution.SEARCH, "location")


@admin.register(Enterprise)
class EnterpriseAdmin(CatalogAdmin):
    """企业."""

    resource_classes = [resources.EnterpriseResource]
    list_display = ("name", "county", "chain_type", "link", "role", "uscc", "source")
    list_filter = ("source", "role", "county__prefecture", "chain_type")
    search_fields = (*Enterprise.SEARCH, "uscc", "county__name", "link__name", "link__keywords")
    list_select_related = ("county", "chain_type", "link__chain_type")
    autocomplete_fields = ("county",)


@admin.register(Fund)
class FundAdmin(CatalogAdmin):
    """基金."""

    resource_classes = [resources.FundResource]
    list_display = ("name", "level", "stage", "prefecture", "county", "size_yuan", "source")
    list_filter = ("level", "stage", "source", "prefecture")
    search_fields = Fund.SEARCH
    list_select_related = ("prefecture", "county")


@admin.register(FinancialProduct)
class FinancialProductAdmin(CatalogAdmin):
    """金融产品."""

    resource_classes = [resources.FinancialProductResource]
    list_display = ("name", "provider", "product_type", "region", "max_amount_yuan", "valid_until", "source")
    list_filter = ("product_type", "source", "region")
    search_fields = (*FinancialProduct.SEARCH, "collateral", "region")


@admin.register(TalentResource)
class TalentResourceAdmin(CatalogAdmin):
    """人才资源."""

    resource_classes = [resources.TalentResourceResource]
    list_display = ("name", "organizer", "kind", "region", "source")
    list_filter = ("kind", "source", "region")
    search_fields = TalentResource.SEARCH


@admin.register(ProvincialBody)
class ProvincialBodyAdmin(CatalogAdmin):
    """省级部门."""

    resource_classes = [resources.ProvincialBodyResource]
    list_display = ("short_name", "name", "handles_display", "confirms_chains", "keeps_white_list", "source")
    list_filter = ("source", "confirms_chains", "keeps_white_list")
    search_fields = (*ProvincialBody.SEARCH, "handles")

    @admin.display(description=_("承接需求类型"))
    def handles_display(self, obj):
        return obj.get_handles_display()


@admin.register(WhiteListEntry)
class WhiteListEntryAdmin(CatalogAdmin):
    """重点企业白名单: imported in bulk (all-or-nothing) or entered one by one."""

    resource_classes = [resources.WhiteListResource]
    list_display = ("year", "enterprise", "chain", "listed_by", "reason", "source")
    list_filter = ("year", "listed_by", "source", "chain__county__prefecture")
    search_fields = ("enterprise__name", "enterprise__uscc", "chain__name", "reason")
    list_select_related = ("enterprise", "chain", "listed_by")
    autocomplete_fields = ("enterprise", "chain")
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
