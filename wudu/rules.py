"""Domain constants and validators, defined once: every model, form, serializer and service uses these."""

import re

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# A mainland mobile number (11 digits, 13x–19x). Written with [0-9], not \d, so that it is also the pages' HTML
# `pattern` attribute, and so that full-width or other Unicode digits are refused as the browser refuses them.
MOBILE = "1[3-9][0-9]{9}"
# A landline with its area code (0374-1234567 or 03741234567).
LANDLINE = "0[0-9]{2,3}-?[0-9]{7,8}"

# Photos one write may carry (a case's submission or step, a visit, a spot check).
MAX_PHOTOS = 5

_MOBILE_RE = re.compile(MOBILE)

# The same rule in two wordings: staff forms show an example, residents' pages the short form.
mobile_validator = RegexValidator(rf"^{MOBILE}$", _("请输入以 1 开头的 11 位手机号码，例如 13800000000。"))
resident_mobile_validator = RegexValidator(rf"^{MOBILE}$", _("请输入 11 位手机号码。"))
phone_validator = RegexValidator(rf"^({MOBILE}|{LANDLINE})$", _("请输入 11 位手机号码或固定电话（如 0374-1234567）。"))


def is_mobile(value: str) -> bool:
    return _MOBILE_RE.fullmatch(value) is not None
