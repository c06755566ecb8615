"""URLs of 资料维护 (providers keep their catalog entries)."""

from django.urls import path

from profiles import views

app_name = "profiles"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<slug:resource_type>/<int:pk>/edit/", views.edit, name="edit"),
    path("revisions/<int:pk>/", views.revision, name="revision"),
    path("revisions/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
