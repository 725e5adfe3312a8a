from django.urls import path

from rrp.measures import catalogue_views, views

app_name = "measures"
urlpatterns = [
    path("wards/<id:ward_id>/values/", views.ward_values, name="ward-values"),
    path("", catalogue_views.catalogue, name="catalogue"),
    path("propose/", catalogue_views.propose, name="propose"),
    path("proposals/<id:proposal_id>/", catalogue_views.proposal_page, name="proposal"),
    path("<slug:slug>/", catalogue_views.measure_page, name="measure"),
    path("<slug:slug>/propose/", catalogue_views.propose, name="propose-change"),
]
