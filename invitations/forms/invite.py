"""Forms of the school admin's invitation pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from invitations.models import Invitation
from invitations.selectors import invitable_classes
from notifications.models import Message
from notifications.policy import channel_available
from schools.models import Pupil, School

_LARGEST_ID = 2**63 - 1


def _is_possible_id(value) -> bool:
    text = str(value).strip()
    return text.isdigit() and int(text) <= _LARGEST_ID


class PupilChoicesField(forms.ModelMultipleChoiceField):
    """Refuses anything that is not a possible id before the one ``pk__in`` query
    (an id too large for the database's integer would be a 500, not a form error)."""

    def _check_values(self, value):
        for pk in value:
            if not _is_possible_id(pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class ClassChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not _is_possible_id(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

    def label_from_instance(self, obj):
        count = getattr(obj, "pupil_count", None)
        if count is None:
            return obj.name
        return f"{obj.name} ({count} pupil{'s' if count != 1 else ''})"


class InvitationCreateForm(forms.Form):
    """Whom to invite (chosen pupils, a class, or the whole school) and how."""

    SCOPE_PUPILS = "pupils"
    SCOPE_CLASS = "class"
    SCOPE_SCHOOL = "school"

    scope = forms.ChoiceField(
        label="Whom to invite",
        choices=[
            (SCOPE_PUPILS, "The pupils I tick"),
            (SCOPE_CLASS, "A class"),
            (SCOPE_SCHOOL, "The whole school"),
        ],
        error_messages={"required": "Choose whom to invite."},
    )
    channels = forms.ChoiceField(
        label="Send by",
        choices=[
            (Invitation.Channels.BOTH, "Email and SMS, whichever details we have"),
            (Invitation.Channels.EMAIL, "Email only"),
            (Invitation.Channels.SMS, "SMS only"),
        ],
        initial=Invitation.Channels.BOTH,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how to send the invitations."},
    )
    school_class = ClassChoiceField(
        label="Class to invite",
        queryset=None,
        required=False,
        empty_label="Choose a class",
        error_messages={"invalid_choice": "Choose one of this school's classes."},
    )
    pupils = PupilChoicesField(
        label="Pupils",
        queryset=None,
        required=False,
        error_messages={
            "invalid_choice": "Some of the ticked pupils are not on roll at this school. "
            "Reload the page and tick them again.",
            "invalid_pk_value": "Some of the ticked pupils are not on roll at this school.",
        },
    )

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["school_class"].queryset = invitable_classes(school=school)
        self.fields["pupils"].queryset = Pupil.objects.filter(
            school=school, removed_by_school_at__isnull=True, anonymised_at__isnull=True
        )
        if not channel_available(Message.Channel.SMS):
            # SMS is disabled on this portal: email is the only way, and a choice
            # naming SMS is refused as any unknown choice is.
            channels = self.fields["channels"]
            channels.choices = [(Invitation.Channels.EMAIL, "Email")]
            channels.initial = Invitation.Channels.EMAIL
            channels.help_text = (
                "Texts are turned off on this portal, so invitations go by email only. "
                "Parents we have only a mobile number for cannot be invited."
            )

    def clean(self):
        cleaned = super().clean()
        scope = cleaned.get("scope")
        # A field that already has an error (say, a class of another school) keeps it alone.
        if scope == self.SCOPE_CLASS and not cleaned.get("school_class"):
            if "school_class" not in self.errors:
                self.add_error("school_class", "Choose the class to invite.")
        elif (
            scope == self.SCOPE_PUPILS and not cleaned.get("pupils") and "pupils" not in self.errors
        ):
            self.add_error("pupils", "Tick at least one pupil to invite.")
        return cleaned

    def chosen_pupil_ids(self) -> set[str]:
        """The pupil ids ticked in the submitted form, to keep them ticked on an error."""
        if not self.is_bound:
            return set()
        return {str(value) for value in self.data.getlist(self.add_prefix("pupils"))}


class InvitationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "All statuses"), *Invitation.Status.choices],
        required=False,
    )

    def status_or_all(self) -> str:
        return self.cleaned_data["status"] if self.is_valid() else ""
