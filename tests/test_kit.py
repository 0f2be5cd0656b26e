"""The kit of the HTML pages (wudu/forms.py, wudu/pages.py): one form base, one service-error helper, one keyset page."""

from django import forms
from django.core.exceptions import ValidationError

from wudu.forms import Form
from wudu.pages import keyset_page


class _Form(Form):
    name = forms.CharField()
    size = forms.ChoiceField(choices=[("s", "S")], widget=forms.Select(attrs={"class": "form-select form-select-lg"}))
    answer = forms.ChoiceField(choices=[("y", "Y")], widget=forms.RadioSelect)


def test_every_widget_is_styled_and_a_forms_own_class_is_kept():
    form = _Form()
    assert form.fields["name"].widget.attrs["class"] == "form-control"
    assert form.fields["size"].widget.attrs["class"] == "form-select form-select-lg"
    assert form.fields["answer"].widget.attrs["class"] == "form-check-input"


def test_a_service_error_lands_next_to_its_field_or_above_the_form_and_marks_the_field():
    form = _Form({"name": "x", "size": "s", "answer": "y"})
    assert form.is_valid()
    form.add_service_error(ValidationError({"name": "重名", "grid": "不在辖区"}))
    assert form.errors["name"] == ["重名"] and form.non_field_errors() == ["不在辖区"]
    assert form.fields["name"].widget.attrs["aria-invalid"] == "true"
    assert "is-invalid" in form.fields["name"].widget.attrs["class"]
    form.add_service_error(ValidationError("照片太大"), field="name")
    assert form.errors["name"] == ["重名", "照片太大"]


def test_a_keyset_page_continues_where_the_last_ended_and_ignores_a_bad_cursor(db, cast):
    from grids.models import Place

    queryset = Place.objects.all()
    first, cursor = keyset_page(queryset, "", size=2)
    second, _ = keyset_page(queryset, cursor, size=2)
    assert [p.pk for p in first] == sorted((p.pk for p in first), reverse=True)
    assert second and max(p.pk for p in second) < min(p.pk for p in first)
    assert keyset_page(queryset, "not-a-cursor", size=2)[0] == first
