from django import forms
from django.conf import settings


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
        "school. Nothing is deleted.",
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
