from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("事件")

    def ready(self) -> None:
        from wudu import media

        from .models import Case, CasePhoto

        # A case's photos go to whoever reads the case. The resident's tracking page shows no photos.
        media.register(CasePhoto, visible=lambda user, photos: photos.filter(case__in=Case.objects.visible_to(user)))
