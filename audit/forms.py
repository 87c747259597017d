"""The filter of a school's audit log."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from audit.models import action_label
from audit.selectors import audit_actions_for_school, school_staff_by_name
from schools.models import School

# The portal holds nothing from before 2000; the bounds also keep the day after
# "to" a real date.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _local_midnight(day: date) -> datetime:
    """Midnight of ``day`` where the schools are (``TIME_ZONE``, Europe/London)."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


class AuditLogFilterForm(forms.Form):
    """What to show: one action, one member of staff, a period of local dates
    (both ends included). Every field is optional; anything unusable is a form
    error shown on the page, and that field is left out of the filter."""

    action = forms.ChoiceField(
        label="Action",
        required=False,
        error_messages={"invalid_choice": "Choose one of the actions in the list."},
    )
    person = forms.TypedChoiceField(
        label="Person",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Choose one of this school's staff from the list."},
    )
    date_from = forms.DateField(
        label="From",
        required=False,
        widget=_DateInput(),
        error_messages={"invalid": "Give a real date, like 2025-03-31."},
    )
    date_to = forms.DateField(
        label="To (included)",
        required=False,
        widget=_DateInput(),
        error_messages={"invalid": "Give a real date, like 2025-03-31."},
    )

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        actions = audit_actions_for_school(school=school)
        self.fields["action"].choices = [
            ("", "All actions"),
            *((action, action_label(action)) for action in actions),
        ]
        self.fields["person"].choices = [
            ("", "Everyone"),
            *(
                (str(user.pk), user.full_name or user.email or f"User {user.pk}")
                for user in school_staff_by_name(school=school)
            ),
        ]

    def _clean_day(self, name: str) -> date | None:
        day = self.cleaned_data.get(name)
        if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
            raise forms.ValidationError(
                f"Give a date between {EARLIEST_DATE:%Y} and {LATEST_DATE:%Y}."
            )
        return day

    def clean_date_from(self) -> date | None:
        return self._clean_day("date_from")

    def clean_date_to(self) -> date | None:
        return self._clean_day("date_to")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return cleaned

    def filters(self) -> dict[str, Any]:
        """The selector's keyword arguments for the fields that are valid:
        ``action``, ``actor_id``, and the period as [start, end) in aware datetimes."""
        if not self.is_bound:
            return {}
        self.is_valid()
        cleaned = self.cleaned_data
        filters: dict[str, Any] = {}
        if cleaned.get("action"):
            filters["action"] = cleaned["action"]
        if cleaned.get("person") is not None:
            filters["actor_id"] = cleaned["person"]
        if cleaned.get("date_from"):
            filters["start"] = _local_midnight(cleaned["date_from"])
        if cleaned.get("date_to"):
            filters["end"] = _local_midnight(cleaned["date_to"] + timedelta(days=1))
        return filters
