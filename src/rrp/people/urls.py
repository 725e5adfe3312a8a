from django.urls import path

from rrp.people import views

app_name = "people"
urlpatterns = [
    path("patients/", views.patient_list, name="patient-list"),
    path("patients/<id:patient_id>/", views.patient_detail, name="patient-detail"),
    path("patients/<id:patient_id>/support-plan/", views.support_plan, name="support-plan"),
    path(
        "patients/<id:patient_id>/rights-information/new/",
        views.rights_information_add,
        name="rights-information-add",
    ),
    path(
        "patients/<id:patient_id>/support-plan/change/", views.support_plan_change, name="support-plan-change"
    ),
]
