from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class Conflict(ValidationError):
    """Someone else changed the record since it was read: nothing was saved."""

    def __init__(self, message=None):
        super().__init__(message or _("此记录已被他人修改，请刷新页面后再提交。"), code="conflict")


def messages_by_field(error: ValidationError, *, general: str = "__all__") -> dict[str, list[str]]:
    """A service's ValidationError as {field: [messages]}; one without fields under `general` (JSON answers)."""
    return error.message_dict if hasattr(error, "error_dict") else {general: error.messages}
