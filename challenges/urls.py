"""URLs of the 揭榜挂帅 pages (mounted at /challenges/)."""

from django.urls import path

from challenges import views

app_name = "challenges"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("achievements/", views.achievements, name="achievements"),
    path("achievements/new/", views.achievement_edit, name="achievement_create"),
    path("achievements/<int:pk>/edit/", views.achievement_edit, name="achievement_edit"),
    path("lists/new/", views.list_create, name="list_create"),
    path("lists/<int:pk>/", views.list_detail, name="list_detail"),
    path("lists/<int:pk>/add/", views.challenge_create, name="challenge_create"),
    path("lists/<int:pk>/export.xlsx", views.export_list, name="export_list"),
    path("lists/<int:pk>/<str:action>/", views.list_action, name="list_action"),
    path("<int:pk>/", views.challenge_detail, name="detail"),
    path("<int:pk>/bid/", views.bid_create, name="bid_create"),
    path("<int:pk>/bids.xlsx", views.export_bids, name="export_bids"),
    path("<int:pk>/reviews.xlsx", views.export_reviews, name="export_reviews"),
    path("<int:pk>/<str:action>/", views.challenge_action, name="challenge_action"),
    path("bids/<int:pk>/", views.bid_detail, name="bid_detail"),
    path("bids/<int:pk>/<str:action>/", views.bid_action, name="bid_action"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/accept/", views.project_accept, name="project_accept"),
    path("milestones/<int:pk>/<str:action>/", views.milestone_action, name="milestone_action"),
    path("files/<uuid:pk>/", views.file_download, name="file"),
]
