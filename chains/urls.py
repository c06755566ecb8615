"""URLs of the public chain directory."""

from django.urls import path

from chains import views

app_name = "chains"

urlpatterns = [
    path("chains/", views.directory, name="directory"),
    path("chains/prefectures/<int:pk>/", views.prefecture_detail, name="prefecture"),
    path("chains/counties/<int:pk>/", views.county_detail, name="county"),
    path("chains/<int:pk>/", views.chain_detail, name="chain"),
    path("chains/<int:pk>/edit/", views.chain_edit, name="chain_edit"),
    path("chains/<int:pk>/<slug:action>/", views.chain_action, name="chain_action"),
    path("chains/declare/", views.declare, name="declare"),
    path("chains/registry/", views.registry, name="registry"),
    path("chains/white-list/", views.white_list, name="white_list"),
    path("chains/white-list/<int:pk>/remove/", views.white_list_remove, name="white_list_remove"),
    path("chains/firms/<int:pk>/", views.firm_detail, name="firm"),
    path("chains/types/<slug:code>/", views.chain_type_detail, name="chain_type"),
]
