from datetime import timedelta

from django import forms

from learning.models import Assignment
from learning.services.assignments import school_today
from schools.models import SchoolClass


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AssignmentDatesForm(forms.Form):
    """When the work runs and what the teacher says about it. The rules the dates
    follow (not in the past, due on or after the start) are the service's."""

    starts_on = forms.DateField(
        label="Start date",
        widget=_DateInput(),
        help_text="Families are told on this day. Today tells them straight away.",
        error_messages={"required": "Give a start date.", "invalid": "Give a real date."},
    )
    due_on = forms.DateField(
        label="Due date",
        widget=_DateInput(),
        help_text="Families who have not finished get one reminder two days before.",
        error_messages={"required": "Give a due date.", "invalid": "Give a real date."},
    )
    message = forms.CharField(
        label="Message to families (optional)",
        required=False,
        max_length=Assignment._meta.get_field("message").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Included in the email families get when the work starts.",
    )


def _class_label(school_class: SchoolClass, *, with_school: bool) -> str:
    label = school_class.name
    year = school_class.get_year_group_display() if school_class.year_group is not None else ""
    if year and year != school_class.name:  # a class called "Year 3" is not "Year 3 (Year 3)"
        label += f" ({year})"
    if with_school:
        label += f", {school_class.school.name}"
    return label


class AssignmentCreateForm(AssignmentDatesForm):
    """Set a topic for one or more of the classes offered (already read for the
    page, so checking the choice costs no query)."""

    school_classes = forms.TypedMultipleChoiceField(
        label="Classes",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one class.",
            "invalid_choice": "Choose from the classes listed.",
        },
    )

    def __init__(self, *args, classes: list[SchoolClass], **kwargs):
        today = school_today()
        kwargs.setdefault("initial", {"starts_on": today, "due_on": today + timedelta(days=7)})
        super().__init__(*args, **kwargs)
        self.classes = {school_class.pk: school_class for school_class in classes}
        with_school = len({school_class.school_id for school_class in classes}) > 1
        self.fields["school_classes"].choices = [
            (school_class.pk, _class_label(school_class, with_school=with_school))
            for school_class in classes
        ]
        self.order_fields(["school_classes"])

    def clean_school_classes(self) -> list[SchoolClass]:
        return [self.classes[pk] for pk in self.cleaned_data["school_classes"]]
