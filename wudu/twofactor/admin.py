"""The admin site: besides being staff, a person who must pass a second factor must have passed it.

Installed as the default site by `wudu.apps.AdminConfig` (INSTALLED_APPS), so every `admin.site.register`
of the apps lands here. The middleware redirects such a person before the admin is reached; this is the
admin's own check, so that the admin stays closed even if the middleware list is changed.
"""

from django.contrib.admin import AdminSite

from . import services


class VerifiedAdminSite(AdminSite):
    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        return services.is_verified(request.user) or not services.required_for(request.user)
