"""The forms of the child's space: a parent's rating, comment and photo on an activity."""

from django import forms

from learning.photos import PhotoRejectedError, photo_prepare
from learning.services.feedback import COMMENT_MAX_LENGTH

RATING_CHOICES = [
    (1, "1: not for us"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, "5: loved it"),
]


class FeedbackForm(forms.Form):
    """One activity's feedback. On a page listing many activities each form gets the
    prefix ``activity-<pk>``, so every field id on the page is unique. The form sits
    under the activity's "Your feedback" heading (an h3), so its error summary's
    heading is an h4."""

    error_summary_level = 4

    rating = forms.TypedChoiceField(
        label="How did it go?",
        choices=RATING_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Comment for the teacher",
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = forms.FileField(
        label="Add a photo",
        required=False,
        help_text="A JPEG, PNG or WebP image up to 10 MB. Location and camera details are removed.",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, has_feedback: bool = False, **kwargs):
        self.has_feedback = has_feedback
        super().__init__(*args, **kwargs)

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        try:
            return photo_prepare(upload)
        except PhotoRejectedError as error:
            raise forms.ValidationError(str(error), code="photo_rejected") from error

    def clean(self):
        data = super().clean()
        comment = data.get("comment", "").strip()
        nothing = data.get("rating") is None and not comment and not data.get("photo")
        if nothing and not self.has_feedback and not self.errors:
            # Given to the first of the three, so that the error summary links to it.
            self.add_error("rating", "Choose a rating, write a comment or add a photo.")
        return data
