"""The page title of a form sent back with errors starts with "Error: " (WCAG 3.3.1).

base.html asks ``{% error_title_prefix %}`` rather than each page saying so: whatever
a view calls its forms (``form``, ``name_form``, a list of them), the title cannot
forget. A form's errors are shown by its error summary (templates/_error_summary.html).
"""

from django import template
from django.forms import BaseForm, BaseFormSet

register = template.Library()

PREFIX = "Error: "


def _has_errors(value) -> bool:
    if isinstance(value, BaseForm):
        return value.is_bound and bool(value.errors)
    if isinstance(value, BaseFormSet):
        return value.is_bound and value.total_error_count() > 0
    return False


def forms_with_errors(values) -> list:
    """The bound forms (and formsets) with errors among ``values``, looking one level
    into lists and tuples; never into querysets or callables, which would run them."""
    found = []
    for value in values:
        candidates = value if isinstance(value, list | tuple) else (value,)
        found.extend(candidate for candidate in candidates if _has_errors(candidate))
    return found


@register.simple_tag(takes_context=True)
def error_title_prefix(context) -> str:
    return PREFIX if forms_with_errors(context.flatten().values()) else ""
