from django.urls import path

from rrp.act import views

app_name = "act"
urlpatterns = [
    path("", views.index, name="index"),
    path("providers/<id:provider_id>/", views.provider_page, name="provider"),
    path("providers/<id:provider_id>/responsible-person/new/", views.appointment_new, name="appointment-new"),
    path("providers/<id:provider_id>/delegations/new/", views.delegation_new, name="delegation-new"),
    path("providers/<id:provider_id>/policy/new/", views.policy_new, name="policy-new"),
    path("providers/<id:provider_id>/training/", views.training_page, name="training"),
]
