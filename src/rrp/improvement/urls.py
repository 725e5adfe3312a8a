from django.urls import path

from rrp.improvement import views, views_projects

app_name = "improvement"
urlpatterns = [
    path("wards/<id:ward_id>/events/", views.ward_events, name="ward-events"),
    path("wards/<id:ward_id>/events/<id:event_id>/withdraw/", views.event_withdraw, name="event-withdraw"),
    path("wards/<id:ward_id>/events/<id:event_id>/redact/", views.event_redact, name="event-redact"),
    path("wards/<id:ward_id>/rebases/new/", views.rebase_new, name="rebase-new"),
    path(
        "wards/<id:ward_id>/rebases/<id:rebase_id>/withdraw/", views.rebase_withdraw, name="rebase-withdraw"
    ),
    path("projects/", views_projects.project_list, name="project-list"),
    path("projects/new/", views_projects.project_new, name="project-new"),
    path("projects/<id:project_id>/edit/", views_projects.project_edit, name="project-edit"),
    path("projects/<id:project_id>/team/", views_projects.project_team, name="project-team"),
    path("projects/<id:project_id>/score/", views_projects.project_score, name="project-score"),
    path("projects/<id:project_id>/driver-diagram/", views_projects.driver_diagram, name="driver-diagram"),
    path("change-ideas/", views_projects.change_idea_list, name="change-ideas"),
    path("change-ideas/new/", views_projects.change_idea_new, name="change-idea-new"),
    path("projects/<id:project_id>/cycles/new/", views_projects.pdsa_new, name="pdsa-new"),
    path("projects/<id:project_id>/cycles/<id:cycle_id>/edit/", views_projects.pdsa_edit, name="pdsa-edit"),
    path(
        "projects/<id:project_id>/cycles/<id:cycle_id>/withdraw/",
        views_projects.pdsa_withdraw,
        name="pdsa-withdraw",
    ),
    path("providers/<id:provider_id>/aims/new/", views.provider_aim_new, name="provider-aim-new"),
    path(
        "providers/<id:provider_id>/aims/<id:aim_id>/withdraw/",
        views.provider_aim_withdraw,
        name="provider-aim-withdraw",
    ),
]
