from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.models import User
from schools.models import School
from schools.phones import uk_phone_format

_LARGEST_ID = 2**63 - 1


class UserChoicesField(forms.ModelMultipleChoiceField):
    """Refuses anything that is not a possible user id before querying for it.

    Django checks the chosen ids with one ``pk__in`` query, which fails on an
    id too large for the database's integer (a 500 instead of a form error).
    """

    def _check_values(self, value):
        for pk in value:
            text = str(pk).strip()
            if not text.isdigit() or int(text) > _LARGEST_ID:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class ClassTeachersForm(forms.Form):
    teachers = UserChoicesField(
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


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="Roster file (CSV)",
        help_text="A CSV export from your MIS: one row per pupil and contact.",
        error_messages={"required": "Choose a roster file to upload."},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    remove_missing = forms.BooleanField(
        label="Mark pupils missing from this file as removed",
        help_text="Pupils on roll who are not in the file will be marked as removed by the "
        "school, and their parents who have joined are told. Nothing is deleted.",
        required=False,
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        limit = settings.ROSTER_MAX_UPLOAD_BYTES
        if uploaded.size > limit:
            raise forms.ValidationError(
                f"The file is too large ({uploaded.size / 1_000_000:.1f} MB); "
                f"the most we accept is {limit / 1_000_000:.1f} MB."
            )
        if uploaded.size == 0:
            raise forms.ValidationError("The file is empty.")
        return uploaded


class SchoolSettingsForm(forms.ModelForm):
    class Meta:
        model = School
        fields = ["parent_facing_name", "contact_email", "contact_phone", "moderate_feedback"]
        widgets = {
            "contact_email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent_facing_name"].widget.attrs["placeholder"] = self.instance.name

    def clean_contact_phone(self) -> str:
        raw = self.cleaned_data["contact_phone"].strip()
        if not raw:
            return ""
        try:
            return uk_phone_format(raw)
        except ValueError as error:
            raise forms.ValidationError("Enter a UK phone number, like 020 7946 0123.") from error
