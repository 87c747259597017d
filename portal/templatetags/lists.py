"""Titles for list pages: pages that differ only by filter or page number say so in
their title (WCAG 2.4.2), e.g. "Pupils — matching “Ann”, page 2 of 5 · Oak School"."""

import datetime

from django import forms, template
from django.utils.formats import date_format

register = template.Library()


def _shown(field: forms.Field, value) -> str:
    """A filter's value as the form's own choice labels show it."""
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        for key, label in field.choices:
            if isinstance(label, (list, tuple)):  # a group of choices
                label = dict(label).get(value, "")
                if label:
                    return str(label)
            elif str(key) == str(value):
                return str(label)
    if isinstance(value, datetime.date):
        return date_format(value, "j M Y")
    if value is True:
        return ""
    return str(value)


def filters_described(form: forms.Form) -> str:
    """The filters a bound form holds, "Label: value" each; values it rejected are left
    out, as the list leaves them out."""
    if not form.is_bound or (not form.is_valid() and not hasattr(form, "cleaned_data")):
        return ""
    parts = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if (
            value in (None, "", [], ())
            or value is False
            or isinstance(field.widget, forms.HiddenInput)
        ):
            continue
        shown = _shown(field, value)
        label = str(field.label or name.replace("_", " ").capitalize())
        parts.append(f"{label}: {shown}" if shown else label)
    return ", ".join(parts)


@register.simple_tag
def list_title(name: str, *filters, page=None, matching: str = "") -> str:
    """``name``, then what the list is filtered by (forms, or words) and which page of
    how many it is, when there is more than one."""
    parts = []
    for item in filters:
        described = filters_described(item) if isinstance(item, forms.BaseForm) else str(item or "")
        if described:
            parts.append(described)
    if matching:
        parts.append(f"matching “{matching}”")
    if page is not None and page.paginator.num_pages > 1:
        parts.append(f"page {page.number} of {page.paginator.num_pages}")
    return f"{name} — {', '.join(parts)}" if parts else name
