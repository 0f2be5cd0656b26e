"""三权分立: the three administrators' duties, kept apart.

- SYSTEM: configuration and accounts (create, deactivate, set an initial password);
- SECURITY: roles (memberships), lockouts, second factors;
- AUDIT: reads the audit, nothing else.

`has_duty(user, duty)` is the one question every management page asks. No person holds two duties, and
nobody approves their own change (the services refuse a security administrator granting a role to
themselves, and so on).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Duty(models.TextChoices):
    SYSTEM = "system", _("系统管理")
    SECURITY = "security", _("安全管理")
    AUDIT = "audit", _("审计管理")


def has_duty(user, duty: str) -> bool:
    """Does this user hold this administrative duty? (Provisional: the system administrator role and a
    superuser hold every duty until the three roles are split.)"""
    from .scope import Role, has_role

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser) or has_role(user, Role.SYSTEM_ADMIN)
