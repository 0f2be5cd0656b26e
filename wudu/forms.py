"""The one form base of the HTML pages: Bootstrap classes, invalid fields marked, a service's refusal put in place.

Forms parse and validate input; the services decide and write. A view that calls a service hands its
ValidationError to `form.add_service_error`, so the message lands next to the field it names.
"""

import uuid

from django import forms
from django.core.exceptions import ValidationError

_UNSTYLED = (forms.HiddenInput, forms.CheckboxInput, forms.CheckboxSelectMultiple)


def _with_class(attrs: dict, css: str) -> None:
    classes = attrs.get("class", "").split()
    if css.split()[0] not in classes:
        attrs["class"] = " ".join([*classes, css])


class Form(forms.Form):
    """Bootstrap classes on every widget (kept where a form set its own), and errors marked for screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, _UNSTYLED):
                continue
            if isinstance(widget, forms.RadioSelect):
                _with_class(widget.attrs, "form-check-input")
            else:
                _with_class(widget.attrs, "form-select" if isinstance(widget, forms.Select) else "form-control")

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                _with_class(attrs, "is-invalid")
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self.auto_id % name}-error" if self.auto_id else f"{name}-error"

    def add_service_error(self, error: ValidationError, *, field: str | None = None,
                          aliases: dict[str, str | None] | None = None) -> None:
        """Put a service's ValidationError next to the field it names (`aliases`: the form's name for a service's
        field, where they differ), else next to `field`, else above the form."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                target = (aliases or {}).get(name, name)
                self.add_error(target if target in self.fields else None, errors)
        else:
            self.add_error(field, error)


class KeyedForm(Form):
    """Carries the client key of a create submission, so a double click or a retry saves once."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())


class VersionedForm(Form):
    """Carries the version the user saw, so a concurrent edit is refused instead of overwritten."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
