from django.urls import path

from rrp.improvement import views, views_collaboratives, views_coproduction, views_projects

app_name = "improvement"
urlpatterns = [
    path("wards/<id:ward_id>/events/", views.ward_events, name="ward-events"),
    path("wards/<id:ward_id>/events/<id:event_id>/withdraw/", views.event_withdraw, name="event-withdraw"),
    path("wards/<id:ward_id>/events/<id:event_id>/redact/", views.event_redact, name="event-redact"),
    path("wards/<id:ward_id>/rebases/new/", views.rebase_new, name="rebase-new"),
    path(
        "wards/<id:ward_id>/rebases/<id:rebase_id>/withdraw/", views.rebase_withdraw, name="rebase-withdraw"
    ),
    path("wards/<id:ward_id>/rebases/<id:rebase_id>/redact/", views.rebase_redact, name="rebase-redact"),
    path(
        "wards/<id:ward_id>/withdrawals/<id:withdrawal_id>/redact/",
        views.withdrawal_redact,
        name="withdrawal-redact",
    ),
    path("projects/", views_projects.project_list, name="project-list"),
    path("projects/new/", views_projects.project_new, name="project-new"),
    path("projects/<id:project_id>/edit/", views_projects.project_edit, name="project-edit"),
    path("projects/<id:project_id>/team/", views_projects.project_team, name="project-team"),
    path("projects/<id:project_id>/score/", views_projects.project_score, name="project-score"),
    path(
        "projects/<id:project_id>/milestones/", views_projects.project_milestones, name="project-milestones"
    ),
    path(
        "projects/<id:project_id>/milestones/<id:milestone_id>/withdraw/",
        views_projects.milestone_withdraw,
        name="milestone-withdraw",
    ),
    path("projects/<id:project_id>/co-production/", views_coproduction.coproduction, name="coproduction"),
    path(
        "projects/<id:project_id>/co-production/new/",
        views_coproduction.coproduction_new,
        name="coproduction-new",
    ),
    path("projects/<id:project_id>/comments/new/", views_coproduction.comment_new, name="comment-new"),
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
    path("collaboratives/new/", views_collaboratives.collaborative_new, name="collaborative-new"),
    path("collaboratives/invitations/", views_collaboratives.invitations, name="collaborative-invitations"),
    path(
        "collaboratives/invitations/<id:invitation_id>/",
        views_collaboratives.invitation_answer,
        name="collaborative-invitation-answer",
    ),
    path(
        "collaboratives/<id:collaborative_id>/manage/",
        views_collaboratives.collaborative_manage,
        name="collaborative-manage",
    ),
    path(
        "collaboratives/<id:collaborative_id>/edit/",
        views_collaboratives.collaborative_edit,
        name="collaborative-edit",
    ),
    path(
        "collaboratives/<id:collaborative_id>/invite/",
        views_collaboratives.collaborative_invite,
        name="collaborative-invite",
    ),
    path(
        "collaboratives/<id:collaborative_id>/invitations/<id:invitation_id>/withdraw/",
        views_collaboratives.invitation_withdraw,
        name="collaborative-invitation-withdraw",
    ),
    path(
        "collaboratives/<id:collaborative_id>/members/<id:membership_id>/leave/",
        views_collaboratives.membership_leave,
        name="collaborative-member-leave",
    ),
    path(
        "collaboratives/<id:collaborative_id>/aims/new/",
        views_collaboratives.collaborative_aim_new,
        name="collaborative-aim-new",
    ),
    path(
        "collaboratives/<id:collaborative_id>/aims/<id:aim_id>/withdraw/",
        views_collaboratives.collaborative_aim_withdraw,
        name="collaborative-aim-withdraw",
    ),
    path(
        "collaboratives/<id:collaborative_id>/change-package/",
        views_collaboratives.change_package,
        name="collaborative-package",
    ),
    path(
        "collaboratives/<id:collaborative_id>/change-package/<id:item_id>/remove/",
        views_collaboratives.change_package_remove,
        name="collaborative-package-remove",
    ),
    path(
        "collaboratives/<id:collaborative_id>/ideas/new/",
        views_collaboratives.own_idea_new,
        name="collaborative-idea-new",
    ),
    path(
        "collaboratives/<id:collaborative_id>/ideas/<id:idea_id>/edit/",
        views_collaboratives.own_idea_edit,
        name="collaborative-idea-edit",
    ),
    path(
        "collaboratives/<id:collaborative_id>/ideas/<id:idea_id>/withdraw/",
        views_collaboratives.own_idea_withdraw,
        name="collaborative-idea-withdraw",
    ),
    path(
        "collaboratives/<id:collaborative_id>/template-diagram/",
        views_collaboratives.template_diagram,
        name="collaborative-template",
    ),
    path(
        "collaboratives/<id:collaborative_id>/learning-set-notes/",
        views_collaboratives.learning_notes,
        name="collaborative-notes",
    ),
]
