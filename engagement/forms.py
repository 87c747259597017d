"""The dashboards' filters, the nudge's choice of pupils and work, and the Pupil
Premium report's choices (the period, and a class or year group)."""

from __future__ import annotations

import datetime as dt

from django import forms

from engagement.selectors import PERIOD_CHOICES, Period, period_named
from schools.models import YearGroup

SHOW_CHOICES = [
    ("", "Every pupil"),
    ("never", "Never active"),
    ("14", "Not active in 14 days"),
    ("30", "Not active in 30 days"),
]
# Pupils one nudge may name: more than a page of the list never comes from it.
NUDGE_PUPILS_MAX = 200


class NotEngagedFilterForm(forms.Form):
    """Which class, which families, and which piece of work a nudge is about."""

    show = forms.ChoiceField(label="Show", choices=SHOW_CHOICES, required=False)
    assignment = forms.TypedChoiceField(
        label="Work to nudge about", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, assignments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].choices = [
            (work.pk, f"{work.topic.title} (due {work.due_on.day} {work.due_on:%B})")
            for work in assignments
        ]


class NudgeForm(forms.Form):
    """The pupils ticked on the dashboard, the class and the work."""

    school_class = forms.IntegerField(min_value=1)
    assignment = forms.IntegerField(
        min_value=1, error_messages={"required": "Choose the work to nudge families about."}
    )
    pupil = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={"required": "Tick at least one pupil whose family to nudge."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any pupil id: the checkpoint keeps those of the class the user teaches.
        values = self.data.getlist("pupil") if hasattr(self.data, "getlist") else []
        self.fields["pupil"].choices = [(value, value) for value in values]

    def clean_pupil(self):
        pupils = self.cleaned_data["pupil"]
        if len(pupils) > NUDGE_PUPILS_MAX:
            raise forms.ValidationError(f"Nudge at most {NUDGE_PUPILS_MAX} families at once.")
        return pupils


LONGEST_PERIOD_DAYS = 731  # two years


class PupilPremiumReportForm(forms.Form):
    """Read from the query string; ``report_period`` and ``period_label`` are set
    once valid. ``classes`` are those the user may choose; ``year_groups`` is
    off for teachers (who see their own classes only)."""

    period = forms.ChoiceField(label="Period", choices=PERIOD_CHOICES, initial="this_term")

    def __init__(self, data, *, classes, year_groups: bool, today: dt.date | None = None):
        super().__init__(data)
        self.today = today
        self.fields["from"] = forms.DateField(
            label="From (first day)",
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}),
            help_text="For custom dates.",
        )
        self.fields["to"] = forms.DateField(
            label="To (the day after the last)",
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}),
            help_text="For custom dates: the report stops at the start of this day.",
        )
        self.fields["class"] = forms.TypedChoiceField(
            label="Class",
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", "All classes" if year_groups else "All your classes")]
            + [(c.pk, c.name) for c in classes],
        )
        if year_groups:
            self.fields["year_group"] = forms.TypedChoiceField(
                label="Year group",
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "All year groups"), *YearGroup.choices],
            )
        self.classes = {c.pk: c for c in classes}

    def clean(self):
        data = super().clean()
        period = data.get("period")
        if period is None:
            return data
        if period != "custom":
            data["report_period"], data["period_label"] = period_named(period, today=self.today)
            return data
        start, end = data.get("from"), data.get("to")
        if start is None and "from" not in self.errors:
            self.add_error("from", "Enter the first day of the period.")
        if end is None and "to" not in self.errors:
            self.add_error("to", "Enter the day after the last day of the period.")
        if start is None or end is None:
            return data
        if start >= end:
            self.add_error("to", "The end of the period must be after its first day.")
        elif (end - start).days > LONGEST_PERIOD_DAYS:
            self.add_error("to", "Choose a period of two years or less.")
        else:
            data["report_period"] = Period(start, end)
            last = end - dt.timedelta(days=1)
            data["period_label"] = f"{start:%-d %B %Y} to {last:%-d %B %Y}"
        return data

    @property
    def school_class(self):
        return self.classes.get(self.cleaned_data.get("class"))
