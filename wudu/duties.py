"""三权分立: the three administrators' duties, kept apart.

- SYSTEM (`Role.SYSTEM_ADMIN`, 系统管理员): configuration and accounts — create and deactivate people, set an
  initial password, places, departments, the holiday calendar, weight schemes;
- SECURITY (`Role.SECURITY_ADMIN`, 安全管理员): roles (granting and ending memberships), releasing locked
  accounts, resetting lost second factors;
- AUDIT (`Role.AUDIT_ADMIN`, 审计管理员): reads the audit (/audit/), nothing else — no data pages, no management.

`has_duty(user, duty)` is the one question every management page asks. A duty is held through its role (a
membership at a district, granted by a security administrator); nobody holds two of them
(`grids.services.membership_create` refuses, under a lock on the person's row), and nobody approves their own
change: a security administrator grants or ends no role of their own and releases no lockout of their own, a
system administrator changes neither their own active nor their own staff flag.

Superusers. Outside production (development, tests, the demo) a superuser holds every duty, as before. In
production (`WUDU_ENV=production`) a superuser holds none: the superuser is the break-glass account made with
`manage.py createsuperuser`, kept sealed; the three administrators are appointed with
`manage.py appoint_administrator` (on the server, recorded as a role change) and then work through their roles.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .scope import Role, has_role


class Duty(models.TextChoices):
    SYSTEM = "system", _("系统管理")
    SECURITY = "security", _("安全管理")
    AUDIT = "audit", _("审计管理")


_ROLES = {Duty.SYSTEM: Role.SYSTEM_ADMIN, Duty.SECURITY: Role.SECURITY_ADMIN, Duty.AUDIT: Role.AUDIT_ADMIN}


def role_of(duty: str) -> str:
    """The role through which a duty is held."""
    return _ROLES[Duty(duty)]


def duty_of(role: str) -> str | None:
    """The duty a role carries, or None for the roles that carry none."""
    return next((duty for duty, held_by in _ROLES.items() if held_by == role), None)


def superuser_holds_duties() -> bool:
    """A superuser holds every duty outside production only (in production it is the sealed break-glass account)."""
    return not getattr(settings, "PRODUCTION", False)


def has_duty(user, duty: str) -> bool:
    """Does this user hold this administrative duty (through its role; a superuser outside production)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if has_role(user, role_of(duty)):
        return True
    return bool(user.is_superuser) and superuser_holds_duties()


def duties_of(user) -> list[str]:
    """The duties the user holds (at most one, except a superuser outside production)."""
    return [duty for duty in Duty if has_duty(user, duty)]
