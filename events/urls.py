"""Event pages (mounted at /events/)."""

from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_create, name="create"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/edit/", views.event_edit, name="edit"),
    path("<int:pk>/do/<slug:action>/", views.event_action, name="action"),
    path("<int:pk>/invitees/", views.invitees, name="invitees"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/availability/", views.availability, name="availability"),
    path("<int:pk>/manage/", views.manage, name="manage"),
    path("<int:pk>/schedule/", views.schedule, name="schedule"),
    path("<int:pk>/meetings/request/", views.meeting_request, name="meeting-request"),
    path("<int:pk>/agenda/", views.agenda, name="agenda"),
    path("<int:pk>/agenda.ics", views.agenda_ics, name="agenda-ics"),
    path("<int:pk>/board/", views.board, name="board"),
    path("<int:pk>/checkin/", views.checkin_scan, name="checkin-scan"),
    path("<int:pk>/report/", views.event_report, name="report"),
    path("registrations/<int:pk>/<slug:action>/", views.registration_action, name="registration-action"),
    path("registrations/<int:pk>/qr.svg", views.qr, name="qr"),
    path("meetings/<int:pk>/outcome/", views.outcome, name="outcome"),
    path("meetings/<int:pk>/<slug:action>/", views.meeting_action, name="meeting-action"),
    path("checkin/<uuid:token>/", views.checkin, name="checkin"),
]
