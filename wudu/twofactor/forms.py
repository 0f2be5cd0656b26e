from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import Form


class CodeForm(Form):
    code = forms.CharField(
        label=_("验证码"), max_length=32, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none",
                                      "autofocus": True, "spellcheck": "false"}),
    )


class TotpCodeForm(Form):
    code = forms.CharField(
        label=_("动态验证码"), max_length=8, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "pattern": "[0-9 ]*"}),
    )


class PasswordConfirmForm(Form):
    """A person whose factors are passkeys only confirms new recovery codes with their password."""

    password = forms.CharField(label=_("登录密码"), max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class ResetForm(Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    reason = forms.CharField(label=_("重置原因"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("例如：手机丢失，本人到场核实身份。"))
