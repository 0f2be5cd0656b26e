"""The account pages: change one's password, and reset it by a link (Django's auth views, in the kit).

- /accounts/password_change/: the signed-in person changes their password (the current one, then the new twice).
  It clears `must_change_password` (an administrator's password) and restarts the expiry clock; the person's
  other sessions end (Django's session hash follows the password), this one goes on.
- /accounts/password_reset/: a username; if it names an active account, a one-time link goes to its mobile
  (notice channels) or e-mail (wudu.passwords.send_reset_link), sent through the outbox after the request (no
  gateway call in it, so its time tells nothing either). The answer is the same whether or not the account
  exists, whether or not anything could be sent, and once the hourly limits are used (3 per account, 20 per
  network address): nobody learns from it which accounts exist, and nobody floods a person's phone.
- /accounts/reset/<uid>/<token>/: choosing the password with the link; the link then no longer works.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from . import outbox, quota, tasks
from .forms import Form
from .net import client_ip
from .signals import record_access

RESETS_PER_ACCOUNT_PER_HOUR = 3
RESETS_PER_ADDRESS_PER_HOUR = 20


class PasswordChangeForm(Form, auth_forms.PasswordChangeForm):
    pass


class SetPasswordForm(Form, auth_forms.SetPasswordForm):
    pass


class ResetRequestForm(Form):
    username = forms.CharField(label=gettext_lazy("用户名"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}))


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "registration/password_form.html"
    success_url = reverse_lazy("home")
    extra_context = {"title": gettext_lazy("修改密码"), "submit": gettext_lazy("修改密码"),
                     "intro": gettext_lazy("请输入当前密码，再输入两次新密码。修改后，您在其他设备上的登录将失效。")}

    def form_valid(self, form):
        form.user.must_change_password = False
        response = super().form_valid(form)  # saves, and keeps this session signed in
        record_access("password_changed", request=self.request, user=form.user,
                      target=f"{form.user._meta.label}:{form.user.pk}")
        messages.success(self.request, _("密码已修改。"))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetRequestForm
    template_name = "registration/password_form.html"
    success_url = reverse_lazy("password_reset_done")
    extra_context = {"title": gettext_lazy("找回密码"), "submit": gettext_lazy("发送设置密码的链接"),
                     "intro": gettext_lazy("请输入您的用户名。我们将把设置密码的链接发送到账号登记的手机号码（或电子邮箱）。")}

    def form_valid(self, form):
        username = form.cleaned_data["username"].strip()
        with transaction.atomic():
            allowed = quota.take("password_reset_address", client_ip(self.request),
                                 limit=RESETS_PER_ADDRESS_PER_HOUR, period=quota.HOUR)
            user = (get_user_model()._default_manager.filter(username__iexact=username, is_active=True).first()
                    if allowed and username else None)
            allowed = user is not None and quota.take("password_reset_account", username.lower(),
                                                       limit=RESETS_PER_ACCOUNT_PER_HOUR, period=quota.HOUR)
            if allowed:
                # Through the outbox, never in the request: an SMS gateway's hundreds of milliseconds would tell
                # who has an account. The task records the channel the link went by ("link_sent").
                outbox.enqueue(tasks.password_reset_link_task, user.pk)
                record_access("password_reset", request=self.request, user=None,
                              target=f"{user._meta.label}:{user.pk}", detail={"stage": "link_requested"})
        return redirect(self.success_url)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "registration/password_form.html"
    success_url = reverse_lazy("password_reset_complete")
    extra_context = {"title": gettext_lazy("设置新密码"), "submit": gettext_lazy("设置密码")}

    def form_valid(self, form):
        form.user.must_change_password = False  # the person chose it themselves
        response = super().form_valid(form)
        record_access("password_reset", request=self.request, user=form.user,
                      target=f"{form.user._meta.label}:{form.user.pk}", detail={"stage": "done"})
        return response


def _message_page(title, text, *, login_link=False):
    return TemplateView.as_view(
        template_name="registration/password_message.html",
        extra_context={"title": title, "text": text, "login_link": login_link},
    )


urlpatterns = [
    path("accounts/password_change/", PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", _message_page(gettext_lazy("修改密码"), gettext_lazy("密码已修改。")),
         name="password_change_done"),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password_reset/done/", _message_page(
        gettext_lazy("找回密码"),
        gettext_lazy("如果该用户名对应一个有效账号，设置密码的链接已发送到账号登记的手机号码或电子邮箱，请在有效期内打开。"
              "没有收到？请联系系统管理员。"), login_link=True), name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("accounts/reset/done/", _message_page(gettext_lazy("设置新密码"), gettext_lazy("密码已设置，请用新密码登录。"),
                                               login_link=True), name="password_reset_complete"),
]
