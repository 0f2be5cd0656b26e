from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("安全审计")

    def ready(self) -> None:
        from wudu import seals

        from . import receivers, selectors

        receivers.connect()
        seals.provide(selectors.latest_seal)
