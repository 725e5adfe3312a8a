from django.urls import path

from rrp.act import views

app_name = "act"
urlpatterns = [
    path("", views.index, name="index"),
    path("providers/<id:provider_id>/", views.provider_page, name="provider"),
    path("providers/<id:provider_id>/responsible-person/new/", views.appointment_new, name="appointment-new"),
    path("providers/<id:provider_id>/delegations/new/", views.delegation_new, name="delegation-new"),
    path("providers/<id:provider_id>/policy/new/", views.policy_new, name="policy-new"),
    path("policies/<id:version_id>/document.pdf", views.policy_document, name="policy-document"),
    path("providers/<id:provider_id>/training/", views.training_page, name="training"),
    path("providers/<id:provider_id>/training/courses/new/", views.course_edit, name="course-new"),
    path(
        "providers/<id:provider_id>/training/courses/<id:course_id>/", views.course_edit, name="course-edit"
    ),
    path("providers/<id:provider_id>/investigations/", views.investigations_page, name="investigations"),
    path("investigations/<id:investigation_id>/", views.investigation_page, name="investigation"),
    path("investigations/<id:investigation_id>/edit/", views.investigation_edit, name="investigation-edit"),
    path("wards/<id:ward_id>/prone-reviews/", views.ward_prone_reviews, name="prone-reviews"),
    path("incidents/<id:incident_id>/prone-review/", views.prone_review_page, name="prone-review"),
]
