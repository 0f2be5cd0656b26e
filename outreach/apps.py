from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("党建与宣讲")

    def ready(self) -> None:
        from grids import public_selectors, terminal_panels

        from .selectors import notice_organization, terminal_party

        terminal_panels.register(terminal_party)
        public_selectors.register_notice_part(notice_organization)
