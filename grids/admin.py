from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from wudu.admin_base import GatedAdminMixin, ScopedAdmin, fields_of
from wudu.duties import Duty, has_duty
from wudu.signals import record_access

from . import selectors, services
from .models import Department, Membership, OutpostPartner, Place, User

admin.site.site_header = _("网格通 · 系统管理")
admin.site.site_title = _("网格通")


@admin.register(Place)
class PlaceAdmin(ScopedAdmin):
    list_display = ("code", "name", "level", "area_m2")
    list_filter = ("level",)
    search_fields = ("code", "name")
    readonly_fields = ("code", "level", "area_m2")
    fields = ("parent", "name", "code", "level", "address", "boundary", "area_m2")
    list_select_related = ()

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (("parent",) if obj else ())

    def create(self, request, data):
        return services.place_create(actor=request.user, **fields_of(data, "parent", "name", "address", "boundary"))

    def update(self, request, obj, data):
        return services.place_update(actor=request.user, place=obj, **fields_of(data, "name", "address", "boundary"))


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    list_display = ("name", "short_code", "district", "phone")
    fields = ("district", "name", "short_code", "phone", "duties")
    list_select_related = ("district",)

    def get_readonly_fields(self, request, obj=None):
        return ("district", "short_code") if obj else ()

    def create(self, request, data):
        return services.department_create(
            actor=request.user, **fields_of(data, "district", "name", "short_code", "phone", "duties")
        )

    def update(self, request, obj, data):
        return services.department_update(actor=request.user, department=obj, **fields_of(data, "name", "phone", "duties"))


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ("user", "role", "place", "department", "work_phone")
    list_filter = ("role",)
    search_fields = ("user__username", "user__real_name", "place__code")
    fields = ("user", "role", "place", "department", "work_phone", "duties")
    list_select_related = ("user", "place", "department")
    raw_id_fields = ("user",)

    def get_readonly_fields(self, request, obj=None):
        return ("user", "role", "place", "department") if obj else ()

    def related_choices(self, db_field, request, db=None):
        if db_field.name == "user":  # the same rule as the pages and the API: seen, or serving nowhere yet
            return selectors.appointable_people(request.user)
        return super().related_choices(db_field, request, db)

    def create(self, request, data):
        return services.membership_create(
            actor=request.user, **fields_of(data, "user", "role", "place", "department", "work_phone", "duties")
        )

    def update(self, request, obj, data):
        return services.membership_update(actor=request.user, membership=obj, **fields_of(data, "work_phone", "duties"))


@admin.register(OutpostPartner)
class OutpostPartnerAdmin(ScopedAdmin):
    list_display = ("name", "kind", "grid", "contact_name", "phone")
    list_filter = ("kind",)
    fields = ("grid", "kind", "name", "contact_name", "phone")
    list_select_related = ("grid",)

    def get_readonly_fields(self, request, obj=None):
        return ("grid",) if obj else ()

    def create(self, request, data):
        return services.partner_create(actor=request.user, **fields_of(data, "grid", "kind", "name", "contact_name", "phone"))

    def update(self, request, obj, data):
        return services.partner_update(
            actor=request.user, partner=obj, **fields_of(data, "kind", "name", "contact_name", "phone")
        )


@admin.register(User)
class PersonAdmin(GatedAdminMixin, UserAdmin):
    """People: visible through the gate (the person policy), their mobile, e-mail and photo only to those the
    gate lets see them; accounts are created by appointment (管理 → 任职)."""

    list_display = ("username", "real_name", "mobile", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff")
    search_fields = ("username", "real_name", "mobile")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("real_name", "mobile", "photo", "email")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser")}),
    )

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    # Accounts are the system administrator's duty (三权分立): create, deactivate, set an initial password.
    def has_add_permission(self, request):
        return has_duty(request.user, Duty.SYSTEM)

    def has_change_permission(self, request, obj=None):
        return has_duty(request.user, Duty.SYSTEM)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser makes a superuser; nobody changes their own flags (services.check_account_change).
        readonly = () if request.user.is_superuser else ("is_superuser",)
        if obj is not None and obj.pk == request.user.pk:
            readonly = ("is_active", "is_staff", "is_superuser")
        return readonly

    # An account created here, or a password set here for someone else, is the administrator's password: the
    # person must change it at the next sign-in, as with grids.services.person_set_password.
    def save_model(self, request, obj, form, change):
        if change:
            services.check_account_change(actor=request.user, person=obj, changed=form.changed_data)
        else:
            obj.must_change_password = True
        super().save_model(request, obj, form, change)
        if not change:
            record_access("password_reset", request=request, target=f"grids.User:{obj.pk}",
                          detail={"stage": "set_by_administrator", "via": "admin"})

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            person = User.objects.filter(pk=unquote(id)).first()
            if person is not None and person.pk != request.user.pk:
                User.objects.filter(pk=person.pk).update(must_change_password=True)
                record_access("password_reset", request=request, target=f"grids.User:{person.pk}",
                              detail={"stage": "set_by_administrator", "via": "admin"})
        return response
