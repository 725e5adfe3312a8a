from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rrp.accounts"
    label = "accounts"
    verbose_name = "Accounts, roles and scope"
