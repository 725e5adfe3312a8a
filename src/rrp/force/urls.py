from django.urls import path

from rrp.force import debrief_views, record_views, views

app_name = "force"
urlpatterns = [
    path("incidents/", views.incident_list, name="incident-list"),
    path("incidents/mine/", views.my_reports, name="my-reports"),
    path("incidents/new/", views.incident_start, name="incident-start"),
    path("incidents/new/<id:ward_id>/<id:patient_id>/", record_views.record_first, name="incident-new"),
    path("incidents/<id:incident_id>/record/", record_views.record_tasks, name="record-tasks"),
    path("incidents/<id:incident_id>/record/check/", record_views.record_check, name="record-check"),
    path(
        "incidents/<id:incident_id>/record/<slug:slug>/", record_views.record_section, name="record-section"
    ),
    path("incidents/<id:incident_id>/", views.incident_detail, name="incident-detail"),
    path("incidents/<id:incident_id>/history/", views.incident_history, name="incident-history"),
    path("incidents/<id:incident_id>/change/", views.incident_amend, name="incident-amend"),
    path("incidents/<id:incident_id>/submit/", views.incident_submit, name="incident-submit"),
    path("incidents/<id:incident_id>/review/", views.incident_review, name="incident-review"),
    path("incidents/<id:incident_id>/send-back/", views.incident_send_back, name="incident-send-back"),
    path("incidents/<id:incident_id>/close/", views.incident_close, name="incident-close"),
    path("incidents/<id:incident_id>/void/", views.incident_void, name="incident-void"),
    path("incidents/<id:incident_id>/patient/", views.incident_patient_correct, name="incident-patient"),
    path("incidents/<id:incident_id>/statements/new/", views.statement_add, name="statement-add"),
    path(
        "incidents/<id:incident_id>/debriefs/<slug:kind>/",
        debrief_views.debrief_record,
        name="debrief-record",
    ),
    path(
        "incidents/<id:incident_id>/observations/new/",
        views.rt_observation_add,
        name="rt-observation-add",
    ),
    path("cqc-tasks/", views.cqc_task_list, name="cqc-task-list"),
    path("cqc-tasks/<id:task_id>/", views.cqc_task_complete, name="cqc-task-complete"),
]
