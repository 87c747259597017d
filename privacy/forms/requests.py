"""Recording a privacy request made to a school, and closing one."""

from __future__ import annotations

from datetime import date, datetime, time

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from privacy.models import PrivacyRequest

EARLIEST_DATE = date(2000, 1, 1)
TEXT_MAX_LENGTH = 5000


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _pupil_label(pupil) -> str:
    where = pupil.school_class.name if pupil.school_class else "no class"
    left = ", left" if pupil.removed_by_school_at else ""
    return f"{pupil.full_name} ({where}{left})"


def _parent_label(parent) -> str:
    contact = parent.email or parent.mobile
    name = parent.full_name or "Unnamed parent"
    return f"{name} ({contact})" if contact else name


class PrivacyRequestRecordForm(forms.Form):
    """A request the school received by letter, phone or in person, about one of its
    pupils or one of their parents (only those are offered, and only those accepted)."""

    kind = forms.ChoiceField(
        label="What is asked for",
        choices=[("", "Choose…"), *PrivacyRequest.Kind.choices],
        error_messages={"required": "Choose what the person asks for."},
    )
    person = forms.ChoiceField(
        label="Who it is about",
        help_text="One of the school's pupils, or a parent or carer linked to one.",
        error_messages={
            "required": "Choose the pupil or parent the request is about.",
            "invalid_choice": "Choose one of the school's pupils or parents from the list.",
        },
    )
    received_on = forms.DateField(
        label="Date received",
        help_text="The 30 days to answer start from this date.",
        widget=_DateInput(),
        error_messages={
            "required": "Give the date the request was received.",
            "invalid": "Give a real date, like 2025-03-31.",
        },
    )
    details = forms.CharField(
        label="What was asked (optional)",
        help_text="In the person's words, or a short note of the letter or call.",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, pupils: QuerySet, parents: QuerySet, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("received_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self._pupils = {
            f"pupil-{pupil.pk}": pupil
            for pupil in pupils.select_related("school_class").order_by(
                "last_name", "first_name", "pk"
            )
        }
        self._parents = {
            f"parent-{parent.pk}": parent
            for parent in parents.order_by("last_name", "first_name", "pk")
        }
        groups = [
            ("Pupils", [(key, _pupil_label(pupil)) for key, pupil in self._pupils.items()]),
            (
                "Parents and carers",
                [(key, _parent_label(parent)) for key, parent in self._parents.items()],
            ),
        ]
        self.fields["person"].choices = [("", "Choose…"), *(g for g in groups if g[1])]

    def offers(self, key: str) -> bool:
        """Whether ``key`` ("pupil-<id>" or "parent-<id>") is one of the choices."""
        return key in self._pupils or key in self._parents

    def clean_received_on(self) -> date:
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date received cannot be in the future.")
        if day < EARLIEST_DATE:
            raise forms.ValidationError("Give a date from 2000 onwards.")
        return day

    def received_at(self) -> datetime:
        """Now for a request received today; otherwise the start of that UK day."""
        day = self.cleaned_data["received_on"]
        if day == timezone.localdate():
            return timezone.now()
        return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())

    def subject(self) -> dict:
        """``subject_pupil`` or ``subject_user`` for the service."""
        key = self.cleaned_data["person"]
        if key in self._pupils:
            return {"subject_pupil": self._pupils[key]}
        return {"subject_user": self._parents[key]}


class PrivacyRequestCloseForm(forms.Form):
    outcome = forms.CharField(
        label="What was done",
        help_text="For example: the data was sent by secure email on 3 March. "
        "Kept with the request; never shown to platform staff.",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what was done."},
    )


class PrivacyRequestRefuseForm(forms.Form):
    reason = forms.CharField(
        label="Why the request is refused",
        help_text="The person must be told this reason, and that they may complain to the "
        "Information Commissioner's Office.",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the reason for refusing."},
    )
