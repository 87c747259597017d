from django import forms

from accounts.models import Membership


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
    )


class EnrolForm(forms.Form):
    token = forms.CharField(
        label="Code from your authenticator app",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )


class StaffAddForm(forms.Form):
    email = forms.EmailField(label="Email address")
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    # Teacher first and chosen: a school admin also sees each pupil's Pupil Premium
    # status and parents' contact details, so that role is a deliberate choice.
    role = forms.ChoiceField(
        label="Role",
        choices=[
            (Membership.Role.TEACHER, Membership.Role.TEACHER.label),
            (Membership.Role.ADMIN, Membership.Role.ADMIN.label),
        ],
        initial=Membership.Role.TEACHER,
        widget=forms.RadioSelect,
        help_text="A school admin also sees each pupil's Pupil Premium status and parents' "
        "contact details, and manages the school's staff, roster and settings.",
    )
