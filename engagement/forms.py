"""The dashboards' filters and the nudge's choice of pupils and work."""

from django import forms

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
