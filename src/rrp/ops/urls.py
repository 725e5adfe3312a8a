from django.urls import path

from rrp.ops import views

app_name = "ops"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("account/reminders/", views.reminder_preferences, name="reminder-preferences"),
    path("ops/reminders/", views.reminders_not_sent, name="reminders-not-sent"),
    path("exports/", views.export_start, name="export-start"),
    path("exports/<uuid:job_id>/", views.export_progress, name="export-progress"),
    path("exports/<uuid:job_id>/file", views.export_file, name="export-file"),
]
