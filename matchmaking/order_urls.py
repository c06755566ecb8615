"""URLs of the order pages (namespace "orders"), included from the root urlconf under /orders/."""

from django.urls import path

from matchmaking import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("workbench/", views.workbench, name="workbench"),
    path("county/", views.county_orders, name="county"),
    path("queue/", views.queue, name="queue"),
    path("taken/", views.taken, name="taken"),
    path("city/", views.city_orders, name="city"),
    path("open/", views.open_orders, name="open"),
    path("matched/", views.matched, name="matched"),
    path("responses/", views.my_responses, name="responses"),
    path("moderation/", views.moderation, name="moderation"),
    path("new/", views.order_create, name="create"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/edit/", views.order_edit, name="edit"),
    path("<int:pk>/submit/", views.order_submit, name="submit"),
    path("<int:pk>/withdraw/", views.order_withdraw, name="withdraw"),
    path("<int:pk>/moderate/", views.order_moderate, name="moderate"),
    path("<int:pk>/claim/", views.order_claim, name="claim"),
    path("<int:pk>/invite/", views.order_invite, name="invite"),
    path("<int:pk>/comment/", views.order_comment, name="comment"),
    path("<int:pk>/respond/", views.order_respond, name="respond"),
    path("<int:pk>/resolve/", views.order_resolve, name="resolve"),
    path("<int:pk>/close/", views.order_close, name="close"),
    path("responses/<int:pk>/accept/", views.response_accept, name="accept"),
    path("responses/<int:pk>/decline/", views.response_decline, name="decline"),
    path("attachments/<uuid:pk>/", views.attachment_download, name="attachment"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("inbox/read-all/", views.inbox_read_all, name="inbox_read_all"),
    path("settings/notifications/", views.preferences, name="preferences"),
    path("settings/subscription/", views.subscription, name="subscription"),
]
