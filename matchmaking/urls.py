"""Root URL configuration."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from chains import views as chain_views

urlpatterns = [
    path("", chain_views.home, name="home"),
    path("", include("chains.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = _("四链对接平台 管理后台")
admin.site.site_title = _("四链对接平台")
admin.site.index_title = _("平台管理")
