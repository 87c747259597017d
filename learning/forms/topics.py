from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from learning.files import VIDEO_EXTENSIONS
from learning.formatting import FORMATTING_HINT
from learning.models import Activity, Subject, Topic
from learning.selectors.topics import TopicSource
from schools.models import YearGroup


class TopicFilterForm(forms.Form):
    year_group = forms.TypedChoiceField(
        label="Year group",
        choices=[("", "Any year group"), *YearGroup.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    subject = forms.ChoiceField(choices=[("", "Any subject"), *Subject.choices], required=False)
    source = forms.ChoiceField(
        label="From",
        choices=[
            ("", "The library and your school"),
            (TopicSource.LIBRARY, "The library"),
            (TopicSource.SCHOOL, "Your school's own"),
        ],
        required=False,
    )


class TopicForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["title", "summary", "subject", "year_group_min", "year_group_max", "published"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}
        labels = {"published": "Ready to set for classes"}
        error_messages = {
            "title": {"required": "Give the topic a title."},
            "subject": {"required": "Choose a subject."},
        }

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["summary"].help_text = "One or two sentences families see first."
        self.fields["subject"].choices = [("", "Choose a subject"), *Subject.choices]
        # Someone on the staff of several schools says whose topic a new one is.
        if schools is not None and len(schools) > 1:
            self.fields["school"] = forms.ModelChoiceField(
                queryset=None, empty_label=None, label="School"
            )
            self.fields["school"].queryset = schools
            self.order_fields(["school"])

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("year_group_min"), cleaned.get("year_group_max")
        if low is not None and high is not None and low > high:
            self.add_error("year_group_max", "Choose a year group no earlier than the first.")
        return cleaned


def https_by_default(field, **kwargs):
    """Form fields for model fields, where an address typed without a scheme means https."""
    from django.db import models

    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class ActivityForm(forms.ModelForm):
    """One activity. Fields that do not belong to the chosen kind are emptied, so a
    teacher can switch kind without clearing them by hand."""

    class Meta:
        model = Activity
        formfield_callback = https_by_default
        fields = ["kind", "title", "instructions", "video_url", "video_file", "game_url"]
        widgets = {
            "kind": forms.RadioSelect,
            "instructions": forms.Textarea(attrs={"rows": 8}),
            "video_file": forms.FileInput(attrs={"accept": "video/mp4,video/webm,video/quicktime"}),
        }
        error_messages = {"title": {"required": "Give the activity a title."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instructions"].help_text = FORMATTING_HINT
        self.fields["video_url"].help_text = (
            "For a video: a YouTube or Vimeo address. It plays through their "
            "privacy-enhanced players, only when a family chooses to play it."
        )
        limit = filesizeformat(settings.LEARNING_VIDEO_MAX_BYTES)
        extensions = ", ".join(sorted(VIDEO_EXTENSIONS))
        current = self.instance.video_file.name if self.instance.video_file else ""
        self.fields["video_file"].help_text = (
            f"Or, for a video, upload it ({extensions}; up to {limit})."
            + (" Leave this empty to keep the current file." if current else "")
        )
        self.fields["game_url"].help_text = "For a game: its address, starting with https://"

    def clean_video_file(self):
        upload = self.cleaned_data.get("video_file")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
            if extension not in VIDEO_EXTENSIONS:
                raise forms.ValidationError(
                    "Upload an MP4, WebM or MOV video file.", code="video_type"
                )
            if upload.size > settings.LEARNING_VIDEO_MAX_BYTES:
                raise forms.ValidationError(
                    f"The video is too large: the limit is "
                    f"{filesizeformat(settings.LEARNING_VIDEO_MAX_BYTES)}.",
                    code="video_size",
                )
        return upload

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        new_upload = self.add_prefix("video_file") in self.files
        if kind == Activity.Kind.VIDEO:
            if cleaned.get("video_url") and new_upload:
                self.add_error("video_url", "Give a video address or upload a file, not both.")
            elif cleaned.get("video_url"):
                cleaned["video_file"] = ""  # an address replaces a stored file
        else:
            if new_upload:
                self.add_error("video_file", "Choose Video as the kind to upload a video.")
            cleaned["video_url"] = ""
            cleaned["video_file"] = ""
        if kind != Activity.Kind.GAME:
            cleaned["game_url"] = ""
        return cleaned
