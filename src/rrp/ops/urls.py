from django.urls import path

from rrp.ops import views

app_name = "ops"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("account/reminders/", views.reminder_preferences, name="reminder-preferences"),
    path("ops/reminders/", views.reminders_not_sent, name="reminders-not-sent"),
]
