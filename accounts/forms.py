import phonenumbers
from django import forms

from accounts.lookup import normalise_email, normalise_mobile
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


class NameForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label="New email address",
        max_length=254,
        help_text="We send a link to this address. It replaces your current one "
        "only when you follow that link.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = normalise_email(self.cleaned_data["email"])
        if email == normalise_email(self.user.email):
            raise forms.ValidationError("That is the address you already have.")
        return email


class MobileForm(forms.Form):
    mobile = forms.CharField(
        label="New mobile number",
        max_length=32,
        help_text="A UK mobile, for example 07700 900123. We text a code to it; "
        "the number is yours here once you enter that code.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_mobile(self) -> str:
        raw = self.cleaned_data["mobile"]
        try:
            mobile = normalise_mobile(raw)
        except ValueError as error:
            raise forms.ValidationError(f"{raw} {error}.") from error
        kind = phonenumbers.number_type(phonenumbers.parse(mobile))
        if kind not in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
            phonenumbers.PhoneNumberType.UNKNOWN,
        ):
            raise forms.ValidationError(
                "That is not a mobile number: a text cannot reach a landline."
            )
        if mobile == self.user.mobile:
            raise forms.ValidationError("That is the number you already have.")
        return mobile


class MobileCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from the text message",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )
