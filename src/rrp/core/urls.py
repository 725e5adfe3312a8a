from django.urls import path

from rrp.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("health/", views.health, name="health"),
    path("audit/", views.audit_log, name="audit-log"),
]
