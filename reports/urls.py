"""URLs of the dashboards, the chain map, the monthly report and the XLSX exports."""

from django.urls import path

from reports import views

app_name = "dashboards"

urlpatterns = [
    path("", views.index, name="index"),
    path("province/", views.province, name="province"),
    path("province/export/", views.export_province, name="export_province"),
    path("cities/<int:pk>/", views.city, name="city"),
    path("cities/<int:pk>/export/", views.export_city, name="export_city"),
    path("counties/<int:pk>/", views.county, name="county"),
    path("counties/<int:pk>/export/", views.export_county, name="export_county"),
    path("chains/<slug:code>/", views.chain_map, name="chain_map"),
    path("chains/<slug:code>/export/", views.export_chain_map, name="export_chain_map"),
    path("reports/monthly/", views.monthly, name="monthly"),
    path("events/", views.events_section, name="events_section"),
    path("match-quality/", views.match_quality_section, name="match_quality_section"),
    path("index-tiers/", views.index_tiers_section, name="index_tiers_section"),
    path("orders/export/", views.export_orders, name="export_orders"),
    path("exports/<uuid:job_id>/", views.export_status, name="export_status"),
    path("exports/<uuid:job_id>/download/", views.export_download, name="export_download"),
]
