from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "grids"
    verbose_name = _("地点与人员")

    def ready(self) -> None:
        from django.urls import reverse

        from wudu import checks, media, offline, scope

        from . import manage
        from .grants import MembershipGrants
        from .models import GRID_ROLES, Level, Membership, User

        scope.register_grant_provider(MembershipGrants())
        # Offline from the first visit (wudu/offline.py): the grid staff's home opens with no signal.
        offline.register(lambda user: [reverse("home")] if scope.has_role(user, *scope.GRID_STAFF) else [])
        # A production server refuses a database where the demo's accounts keep the demo's password.
        checks.register_demo_accounts(demo_accounts)
        manage.autodiscover()  # each app's managed.py registers its management pages

        def people(user, rows):
            # Grid staff are on their grid's public notice (grids.public_selectors.grid_notice) with their photo;
            # anyone else's photo follows the person policy.
            on_notice = Membership.objects.filter(role__in=GRID_ROLES, place__level=Level.GRID).values("user_id")
            return rows.filter(pk__in=on_notice) | rows.visible_to(user)

        media.register(User, fields=("photo",), visible=people)


def demo_accounts():
    from .demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEPARTMENTS

    # The fixed accounts, and the departments' staff of the demo's history (cases.demo_history: dept_<code>).
    return [a.username for a in DEMO_ACCOUNTS] + [f"dept_{code}" for _name, code, _duties in DEPARTMENTS], DEMO_PASSWORD
