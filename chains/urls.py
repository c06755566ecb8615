"""URLs of the public chain directory."""

from django.urls import path

from chains import views

app_name = "chains"

urlpatterns = [
    path("chains/", views.directory, name="directory"),
    path("chains/prefectures/<int:pk>/", views.prefecture_detail, name="prefecture"),
    path("chains/counties/<int:pk>/", views.county_detail, name="county"),
    path("chains/<int:pk>/", views.chain_detail, name="chain"),
    path("chains/types/<slug:code>/", views.chain_type_detail, name="chain_type"),
]
