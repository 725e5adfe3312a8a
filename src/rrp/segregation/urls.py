from django.urls import path

from rrp.segregation import views, views_oversight

app_name = "segregation"
urlpatterns = [
    path("", views.index, name="index"),
    path("wards/<id:ward_id>/", views.ward_page, name="ward"),
    path("wards/<id:ward_id>/episodes/new/", views.episode_new, name="episode-new"),
    path("providers/<id:provider_id>/", views.provider_page, name="provider"),
    path("providers/<id:provider_id>/lts-register/", views.lts_register, name="lts-register"),
    path("lts-register/", views.lts_register_commissioner, name="lts-register-commissioner"),
    path("episodes/<id:episode_id>/", views.episode_page, name="episode"),
    path("episodes/<id:episode_id>/reviews/new/", views.review_new, name="review-new"),
    path("episodes/<id:episode_id>/observations/new/", views.observation_new, name="observation-new"),
    path("episodes/<id:episode_id>/end/", views.episode_end, name="episode-end"),
    path("episodes/<id:episode_id>/amend/", views.episode_amend, name="episode-amend"),
    path("providers/<id:provider_id>/review-rules/", views.review_rules, name="review-rules"),
    path("patients/<id:patient_id>/", views.patient_summary, name="patient"),
    path(
        "episodes/<id:episode_id>/independent-reviews/new/",
        views_oversight.independent_review_new,
        name="independent-review-new",
    ),
    path("episodes/<id:episode_id>/end-plan/", views_oversight.end_plan, name="end-plan"),
    path(
        "independent-reviews/<id:review_id>/",
        views_oversight.independent_review_page,
        name="independent-review",
    ),
    path(
        "independent-reviews/<id:review_id>/correct/",
        views_oversight.review_text_correct,
        name="review-text-correct",
    ),
    path(
        "recommendations/<id:recommendation_id>/status/",
        views_oversight.recommendation_status,
        name="recommendation-status",
    ),
    path(
        "providers/<id:provider_id>/recommendations/",
        views_oversight.provider_recommendations,
        name="provider-recommendations",
    ),
    path("providers/<id:provider_id>/named-access/", views_oversight.named_access, name="named-access"),
    path(
        "named-access/<id:grant_id>/revoke/", views_oversight.named_access_revoke, name="named-access-revoke"
    ),
    path("oversight/", views_oversight.commissioner_oversight, name="commissioner-oversight"),
    path("oversight/people/<id:patient_id>/", views_oversight.named_person, name="named-person"),
    path(
        "oversight/people/<id:patient_id>/visits/new/",
        views_oversight.commissioner_visit_new,
        name="commissioner-visit-new",
    ),
    path(
        "oversight/recommendations/",
        views_oversight.commissioner_recommendations,
        name="commissioner-recommendations",
    ),
    path(
        "oversight/recommendations/<id:recommendation_id>/status/",
        views_oversight.commissioner_recommendation_status,
        name="commissioner-recommendation-status",
    ),
    path("patients/<id:patient_id>/cetrs/new/", views_oversight.cetr_new, name="cetr-new"),
    path("providers/<id:provider_id>/cetrs/", views_oversight.cetr_schedule, name="cetr-schedule"),
    path(
        "providers/<id:provider_id>/possible-segregation/",
        views_oversight.possible_segregation,
        name="possible-segregation",
    ),
    path(
        "providers/<id:provider_id>/possible-segregation/<id:patient_id>/",
        views_oversight.defacto_decision,
        name="defacto-decision",
    ),
]
