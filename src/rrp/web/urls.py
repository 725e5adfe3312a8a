from django.urls import path

from rrp.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("health/", views.health, name="health"),
    path("audit/", views.audit_log, name="audit-log"),
    path("api-tokens/", views.api_tokens, name="api-tokens"),
    path("api-tokens/<id:token_id>/revoke/", views.api_token_revoke_view, name="api-token-revoke"),
    path("wards/<id:ward_id>/", views.ward_detail, name="ward-detail"),
]
