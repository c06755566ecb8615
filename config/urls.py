"""Root URL configuration: each app's pages under its prefix, the admin, the API (config.api) and its schema."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from chains import views as chain_views
from core import errorpages

# Django tries the patterns in order and every request pays for each one it passes (an include with an empty
# prefix costs a try of each of its patterns): the API and the order pages, most of the traffic, come first, the
# two includes without a prefix (chains/…, and /healthz, /readyz, /metrics, ops/…) last. No two entries match the
# same path (besides the admin redirects, kept before the admin), so the order changes no resolution.
urlpatterns = [
    path("", chain_views.home, name="home"),
    path("favicon.ico", errorpages.favicon, name="favicon"),
    path("api/v1/development-index/", include("devindex.api.urls")),
    path("api/v1/", include("config.api")),
    path("orders/", include("matchmaking.order_urls")),
    path("accounts/", include("accounts.urls")),
    path("dashboards/", include("reports.urls")),
    path("events/", include("events.urls")),
    path("challenges/", include("challenges.urls")),
    path("profiles/", include("profiles.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The audit log moved from the chains app to core; old admin bookmarks keep working.
    re_path(
        r"^admin/chains/auditentry/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/core/auditentry/%(rest)s", permanent=True, query_string=True),
    ),
    # The domain model Response was renamed Proposal (响应方案); old admin bookmarks keep working.
    re_path(
        r"^admin/matchmaking/response/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/matchmaking/proposal/%(rest)s", permanent=True, query_string=True),
    ),
    path("admin/", admin.site.urls),
    path("index/", include("devindex.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's init script as a separate file, so no inline script is needed (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("chains.urls")),
    path("", include("ops.urls")),  # /healthz, /readyz, /metrics
]

# The error pages in Chinese with English (core.errorpages): JSON in the API's error shape under /api/.
handler400 = "core.errorpages.bad_request"
handler403 = "core.errorpages.permission_denied"
handler404 = "core.errorpages.page_not_found"
handler500 = "core.errorpages.server_error"

admin.site.site_header = _("四链对接平台 管理后台")
admin.site.site_title = _("四链对接平台")
admin.site.index_title = _("平台管理")
