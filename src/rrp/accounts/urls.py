from django.urls import path

from rrp.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("locked/", views.locked_out, name="locked-out"),
    path("two-factor/", views.two_factor, name="two-factor"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("stay-signed-in/", views.stay_signed_in, name="stay-signed-in"),
    path("signed-out/", views.signed_out, name="signed-out"),
    path("password/", views.password_change, name="password-change"),
    path("invitation/<str:uidb64>/<str:token>/", views.invitation, name="invitation"),
]
