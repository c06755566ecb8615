"""URLs of the development index API, mounted at /api/v1/development-index/ by the root urlconf."""

from rest_framework.routers import SimpleRouter

from devindex.api import views

app_name = "devindex-api"

router = SimpleRouter()
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("values", views.ValueViewSet, basename="value")
router.register("reports", views.ReportViewSet, basename="report")
router.register("", views.IndexResultViewSet, basename="result")

urlpatterns = router.urls
