from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WuduConfig(AppConfig):
    name = "wudu"
    verbose_name = _("网格通")

    def ready(self):
        from django.contrib import admin
        from knox.models import AuthToken

        from . import (
            auth,  # noqa: F401 - connects the login back-off's and the access events' signal receivers
            checks,  # noqa: F401 - registers the refusals at start (SECRET_KEY placeholder, demo accounts)
        )

        # API tokens come only from signing in and end through wudu.tokens, each audited; knox's admin would hand out
        # a key for anyone and record nothing.
        if admin.site.is_registered(AuthToken):
            admin.site.unregister(AuthToken)
