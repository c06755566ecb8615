"""Operations endpoints at the site root: /healthz, /readyz, /metrics; background import pages."""

from django.urls import path

from ops import health, metrics, views

app_name = "ops"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("ops/imports/<uuid:job_id>/", views.import_status, name="import_status"),
]
