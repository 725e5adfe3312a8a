from django.urls import path

from rrp.administration import views

app_name = "administration"
urlpatterns = [
    path("", views.index, name="index"),
    path("regions/add/", views.region_add, name="region-add"),
    path("providers/add/", views.provider_add, name="provider-add"),
    path("providers/<id:provider_id>/", views.provider, name="provider"),
    path("providers/<id:provider_id>/sites/add/", views.site_add, name="site-add"),
    path("providers/<id:provider_id>/wards/add/", views.ward_add, name="ward-add"),
    path("providers/<id:provider_id>/accounts/add/", views.account_add, name="account-add"),
    path("providers/<id:provider_id>/staff/", views.staff_list, name="staff-list"),
    path("providers/<id:provider_id>/staff/add/", views.staff_add, name="staff-add"),
    path("providers/<id:provider_id>/review-rules/", views.review_rules, name="review-rules"),
    path("accounts/add/", views.account_add, name="service-account-add"),
    path("accounts/<id:account_id>/", views.account_change, name="account"),
    path("accounts/<id:account_id>/two-factor/", views.account_two_factor, name="account-two-factor"),
    path("accounts/<id:account_id>/invitation/", views.account_invitation, name="account-invitation"),
    path("sites/<id:site_id>/", views.site_change, name="site"),
    path("wards/<id:ward_id>/", views.ward_change, name="ward"),
    path("staff/<id:staff_id>/", views.staff_change, name="staff"),
]
