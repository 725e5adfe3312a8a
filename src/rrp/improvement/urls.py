from django.urls import path

from rrp.improvement import views

app_name = "improvement"
urlpatterns = [
    path("wards/<int:ward_id>/events/", views.ward_events, name="ward-events"),
    path("wards/<int:ward_id>/events/<int:event_id>/withdraw/", views.event_withdraw, name="event-withdraw"),
    path("wards/<int:ward_id>/rebases/new/", views.rebase_new, name="rebase-new"),
    path(
        "wards/<int:ward_id>/rebases/<int:rebase_id>/withdraw/", views.rebase_withdraw, name="rebase-withdraw"
    ),
    path("providers/<int:provider_id>/aims/new/", views.provider_aim_new, name="provider-aim-new"),
    path(
        "providers/<int:provider_id>/aims/<int:aim_id>/withdraw/",
        views.provider_aim_withdraw,
        name="provider-aim-withdraw",
    ),
]
