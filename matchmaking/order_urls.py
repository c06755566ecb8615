"""URLs of the order pages (namespace "orders"), included from the root urlconf under /orders/."""

from django.urls import path

from matchmaking.views import inbox, lists, orders, proposals

app_name = "orders"

urlpatterns = [
    path("", lists.order_list, name="list"),
    path("workbench/", lists.workbench, name="workbench"),
    path("county/", lists.county_orders, name="county"),
    path("queue/", lists.queue, name="queue"),
    path("taken/", lists.taken, name="taken"),
    path("city/", lists.city_orders, name="city"),
    path("open/", lists.open_orders, name="open"),
    path("matched/", lists.matched, name="matched"),
    path("responses/", lists.my_responses, name="responses"),
    path("moderation/", lists.moderation, name="moderation"),
    path("new/", orders.order_create, name="create"),
    path("<int:pk>/", orders.order_detail, name="detail"),
    path("<int:pk>/edit/", orders.order_edit, name="edit"),
    path("<int:pk>/submit/", orders.order_submit, name="submit"),
    path("<int:pk>/withdraw/", orders.order_withdraw, name="withdraw"),
    path("<int:pk>/moderate/", orders.order_moderate, name="moderate"),
    path("<int:pk>/claim/", orders.order_claim, name="claim"),
    path("<int:pk>/invite/", orders.order_invite, name="invite"),
    path("<int:pk>/comment/", orders.order_comment, name="comment"),
    path("<int:pk>/respond/", proposals.order_respond, name="respond"),
    path("<int:pk>/resolve/", orders.order_resolve, name="resolve"),
    path("<int:pk>/close/", orders.order_close, name="close"),
    path("responses/<int:pk>/accept/", proposals.response_accept, name="accept"),
    path("responses/<int:pk>/decline/", proposals.response_decline, name="decline"),
    path("attachments/<uuid:pk>/", proposals.attachment_download, name="attachment"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/<int:pk>/open/", inbox.notification_open, name="notification_open"),
    path("inbox/read-all/", inbox.inbox_read_all, name="inbox_read_all"),
    path("settings/notifications/", inbox.preferences, name="preferences"),
    path("settings/subscription/", inbox.subscription, name="subscription"),
]
