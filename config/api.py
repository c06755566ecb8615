"""REST API v1 (mounted at /api/v1/): every app's viewsets on one router, the token login, the JSON 404."""

from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from accounts import api as accounts_api
from chains import api as chains_api
from challenges import api as challenges_api
from core.errors import NotFoundView
from events.api import register_routes as register_event_routes
from matchmaking.api import notifications, orders

app_name = "api"

router = DefaultRouter()
router.register("prefectures", chains_api.PrefectureViewSet, basename="prefecture")
router.register("counties", chains_api.CountyViewSet, basename="county")
router.register("chain-types", chains_api.ChainTypeViewSet, basename="chain-type")
router.register("chains", chains_api.CountyChainViewSet, basename="chain")
router.register("institutions", chains_api.InstitutionViewSet, basename="institution")
router.register("enterprises", chains_api.EnterpriseViewSet, basename="enterprise")
router.register("funds", chains_api.FundViewSet, basename="fund")
router.register("financial-products", chains_api.FinancialProductViewSet, basename="financial-product")
router.register("talent-resources", chains_api.TalentResourceViewSet, basename="talent-resource")
router.register("provincial-bodies", chains_api.ProvincialBodyViewSet, basename="provincial-body")
router.register("white-list", chains_api.WhiteListViewSet, basename="white-list")
router.register("orders", orders.OrderViewSet, basename="order")
router.register("responses", orders.ProposalViewSet, basename="response")
router.register("notifications", notifications.NotificationViewSet, basename="notification")
event_urls = register_event_routes(router)  # 对接活动: events, registrations, meetings
challenges_api.register(router)

# The busiest lists (orders and notifications: most of the API's traffic) are tried first: Django tries the
# patterns in order. Their prefixes are no other route's, so this changes no resolution; the API root and the
# schema keep the registration order.
BUSIEST = ("orders", "notifications")


def _busiest_first(patterns):
    def busy(pattern) -> bool:
        route = str(pattern.pattern)
        return any(route.startswith((f"^{prefix}/", f"^{prefix}\\.")) for prefix in BUSIEST)

    return sorted(patterns, key=lambda pattern: not busy(pattern))  # stable: each group keeps its order


urlpatterns = [
    path("auth/token/", accounts_api.ObtainTokenView.as_view(), name="token"),
    path("auth/logout/", accounts_api.LogoutView.as_view(), name="logout"),
    path("auth/logout-all/", accounts_api.LogoutAllView.as_view(), name="logout-all"),
    *event_urls,
    *_busiest_first(router.urls),
    # Last: anything else under /api/v1/ is a JSON 404 in the error shape.
    re_path(r"^(?P<rest>.+)$", NotFoundView.as_view(), name="not-found"),
]
