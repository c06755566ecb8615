"""URLs of REST API v1 (mounted at /api/v1/)."""

from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from challenges import api as challenges_api
from matchmaking.api import auth, catalog, notifications, orders
from matchmaking.api.errors import NotFoundView

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
challenges_api.register(router)

urlpatterns = [
    path("auth/token/", auth.ObtainTokenView.as_view(), name="token"),
    path("auth/logout/", auth.LogoutView.as_view(), name="logout"),
    path("auth/logout-all/", auth.LogoutAllView.as_view(), name="logout-all"),
    *router.urls,
    # Last: anything else under /api/v1/ is a JSON 404 in the error shape.
    re_path(r"^(?P<rest>.+)$", NotFoundView.as_view(), name="not-found"),
]
