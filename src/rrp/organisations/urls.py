from django.urls import path

from rrp.organisations import views

app_name = "organisations"
urlpatterns = [
    path("providers/", views.provider_list, name="provider-list"),
    path("wards/", views.ward_list, name="ward-list"),
    path("wards/<id:ward_id>/bed-days/", views.ward_bed_days, name="ward-bed-days"),
]
