"""The breach register's forms, in the admin: recording an incident, its scope,
the report to the ICO and the retrospective. Each works without JavaScript;
dates and times are typed in the schools' local time."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from notifications.selectors import message_templates
from privacy.models import Incident
from privacy.registry import categories
from schools.selectors import classes_by_school, schools_by_name

# A browser's datetime-local input sends "2026-03-04T09:30".
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class DateTimeLocalField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATETIME_FORMATS)
        super().__init__(**kwargs)


def _category_choices() -> list[tuple[str, str]]:
    return [(found.name, f"{found.description} ({found.name})") for found in categories()]


NO_NAMES = "Never a family's or pupil's name: this is read by platform staff and sent as written."


class IncidentForm(forms.Form):
    """An incident's texts and the data affected (when it was found is fixed once recorded)."""

    title = forms.CharField(
        max_length=200,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
        help_text="A short name staff know it by. " + NO_NAMES,
    )
    description = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 5, "class": "vLargeTextField"}),
        help_text="For staff: what happened, how it was found, what it exposed. " + NO_NAMES,
    )
    data_categories = forms.MultipleChoiceField(
        label="Data affected",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Each kind of personal data the incident exposed, as the registry lists them.",
    )
    notice_summary = forms.CharField(
        label="Notice: what happened",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"}),
        help_text="For schools and families, in plain words: what happened and what it may "
        "mean for them. " + NO_NAMES,
    )
    notice_actions = forms.CharField(
        label="Notice: what we are doing",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"}),
        help_text="What the portal is doing about it, and anything people can do themselves.",
    )
    notice_contact = forms.CharField(
        label="Notice: who to contact",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
        help_text="The portal's privacy contact, an email address or phone number.",
    )

    FIELDS = (
        "title",
        "description",
        "data_categories",
        "notice_summary",
        "notice_actions",
        "notice_contact",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["data_categories"].choices = _category_choices()

    def fieldsets(self):
        return [
            ("The incident", [self[name] for name in self.fields if not name.startswith("notice")]),
            (
                "The notices' words (sent to schools and families inside a fixed frame)",
                [self[name] for name in self.fields if name.startswith("notice")],
            ),
        ]


class IncidentRecordForm(IncidentForm):
    found_at = DateTimeLocalField(
        label="Found at",
        help_text="When the portal became aware of it: the 72-hour and 24-hour deadlines "
        "count from here.",
    )

    field_order = ["title", "found_at"]

    def clean_found_at(self):
        found_at = self.cleaned_data["found_at"]
        if found_at > timezone.now():
            raise forms.ValidationError("When it was found cannot be in the future.")
        return found_at


def _classes_by_school() -> list[tuple[str, list[tuple[int, str]]]]:
    """Every class as a choice, grouped under its school's name."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for school_class in classes_by_school():
        year = f"{school_class.academic_year}/{(school_class.academic_year + 1) % 100:02d}"
        groups.setdefault(school_class.school.name, []).append(
            (school_class.pk, f"{school_class.name} ({year})")
        )
    return list(groups.items())


class ScopeForm(forms.Form):
    """Which query finds the people affected; each kind reads the fields it names."""

    kind = forms.ChoiceField(
        label="Who is affected",
        choices=Incident.ScopeKind.choices,
        widget=forms.RadioSelect,
    )
    schools = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="For “everyone at chosen schools”. Hold Ctrl (or ⌘) to choose several.",
    )
    classes = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="For “the families of chosen classes”. Hold Ctrl (or ⌘) to choose several.",
    )
    starts_at = DateTimeLocalField(
        label="From", required=False, help_text="For a time window: its start."
    )
    ends_at = DateTimeLocalField(
        label="Until", required=False, help_text="For a time window: its end (not included)."
    )
    template = forms.ChoiceField(
        label="Only messages of this kind",
        required=False,
        help_text="For messages sent in the window: one template, or any.",
    )
    channel = forms.ChoiceField(
        label="Only messages sent by",
        required=False,
        choices=[("", "Email or text"), ("email", "Email"), ("sms", "Text (SMS)")],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schools"].queryset = schools_by_name()
        self.fields["classes"].choices = _classes_by_school()
        self.fields["template"].choices = [("", "Any message")] + [
            (name, name.replace("_", " ")) for name in message_templates()
        ]

    def clean_classes(self):
        return list(classes_by_school().filter(pk__in=self.cleaned_data["classes"]))

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == Incident.ScopeKind.SCHOOLS and not cleaned.get("schools"):
            self.add_error("schools", "Choose at least one school.")
        if kind == Incident.ScopeKind.CLASSES and not cleaned.get("classes"):
            self.add_error("classes", "Choose at least one class.")
        if kind in (Incident.ScopeKind.MESSAGES, Incident.ScopeKind.SIGN_INS):
            starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
            if starts_at is None and "starts_at" not in self.errors:
                self.add_error("starts_at", "Give the start of the time window.")
            if ends_at is None and "ends_at" not in self.errors:
                self.add_error("ends_at", "Give the end of the time window.")
            if starts_at and ends_at and starts_at >= ends_at:
                self.add_error("ends_at", "The end must come after the start.")
        return cleaned


class ReportForm(forms.Form):
    reported = forms.TypedChoiceField(
        label="The ICO",
        choices=[
            ("yes", "We reported it to the ICO"),
            ("no", "We decided not to report it"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    at = DateTimeLocalField(label="When", help_text="When it was reported, or decided.")
    reference = forms.CharField(
        label="ICO reference", required=False, max_length=100, help_text="If reported."
    )
    reason = forms.CharField(
        label="Why it is not reported",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"}),
        help_text="If not reported: why the incident is unlikely to put people at risk.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reported") is False and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Say why the incident is not reported to the ICO.")
        return cleaned


class RetrospectiveForm(forms.Form):
    text = forms.CharField(
        label="Retrospective",
        widget=forms.Textarea(attrs={"rows": 10, "class": "vLargeTextField"}),
        help_text="What happened and why, what was done, and what changes so it does not "
        "happen again. " + NO_NAMES,
    )
