from django import forms

from accounts.models import User


class ClassTeachersForm(forms.Form):
    teachers = forms.ModelMultipleChoiceField(
        label="Teachers of this class",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, teachers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teachers"].queryset = teachers
        self.fields["teachers"].label_from_instance = lambda user: user.get_full_name()


class PupilSearchForm(forms.Form):
    q = forms.CharField(label="Search pupils by name", required=False, max_length=100)
