from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """django.contrib.admin whose default site also asks for the second factor (wudu/twofactor/admin.py).

    Named in INSTALLED_APPS in place of "django.contrib.admin"."""

    default_site = "wudu.twofactor.admin.VerifiedAdminSite"
