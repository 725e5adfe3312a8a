from django.urls import path

from rrp.people import views

app_name = "people"
urlpatterns = [
    path("patients/", views.patient_list, name="patient-list"),
    path("patients/<id:patient_id>/", views.patient_detail, name="patient-detail"),
    path("patients/<id:patient_id>/support-plan/", views.support_plan, name="support-plan"),
    path("patients/<id:patient_id>/merge/", views.patient_merge_view, name="patient-merge"),
    path("patient-feed/held/", views.feed_held, name="feed-held"),
    path("patient-feed/held/try-again/", views.feed_retry, name="feed-retry"),
    path("wards/<id:ward_id>/weekly-check/", views.voice_check, name="voice-check"),
    path(
        "wards/<id:ward_id>/weekly-check/easy-read/",
        views.voice_check,
        {"easy_read": True},
        name="voice-check-easy-read",
    ),
    path("wards/<id:ward_id>/weekly-check/thank-you/", views.voice_thanks, name="voice-thanks"),
    path("wards/<id:ward_id>/weekly-check/comments/", views.voice_comments, name="voice-comments"),
    path(
        "patients/<id:patient_id>/rights-information/new/",
        views.rights_information_add,
        name="rights-information-add",
    ),
    path(
        "patients/<id:patient_id>/support-plan/change/", views.support_plan_change, name="support-plan-change"
    ),
]
