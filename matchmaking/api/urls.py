"""URLs of REST API v1 (mounted at /api/v1/)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from matchmaking.api import auth, catalog, notifications, orders

app_name = "api"

router = DefaultRouter()
router.register("prefectures", catalog.PrefectureViewSet, basename="prefecture")
router.register("counties", catalog.CountyViewSet, basename="county")
router.register("chain-types", catalog.ChainTypeViewSet, basename="chain-type")
router.register("chains", catalog.CountyChainViewSet, basename="chain")
router.register("institutions", catalog.InstitutionViewSet, basename="institution")
router.register("enterprises", catalog.EnterpriseViewSet, basename="enterprise")
router.register("funds", catalog.FundViewSet, basename="fund")
router.register("financial-products", catalog.FinancialProductViewSet, basename="financial-product")
router.register("talent-resources", catalog.TalentResourceViewSet, basename="talent-resource")
router.register("provincial-bodies", catalog.ProvincialBodyViewSet, basename="provincial-body")
router.register("orders", orders.OrderViewSet, basename="order")
router.register("responses", orders.ResponseViewSet, basename="response")
router.register("notifications", notifications.NotificationViewSet, basename="notification")

urlpatterns = [
    path("auth/token/", auth.ObtainTokenView.as_view(), name="token"),
    *router.urls,
]
