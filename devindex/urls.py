"""URLs of the development index pages (namespace "devindex"), included under /index/."""

from django.urls import path

from devindex import views

app_name = "devindex"

urlpatterns = [
    path("", views.ranking_page, name="ranking"),
    path("export/", views.export_ranking, name="export"),
    path("counties/<int:pk>/", views.county_page, name="county"),
    path("method/", views.method_page, name="method"),
    path("method/edit/", views.method_edit, name="method_edit"),
    path("values/export/", views.export_values, name="export_values"),
    path("reports/", views.report_list, name="reports"),
    path("reports/fill/<int:year>/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/<slug:action>/", views.report_action, name="report_action"),
    path("import/", views.import_page, name="import"),
    path("panel/<slug:kind>/", views.dashboard_panel, name="panel"),
]
