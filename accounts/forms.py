import phonenumbers
from allauth.account.forms import LoginForm
from django import forms

from accounts.lookup import mobile_for_texts, normalise_email
from accounts.models import Membership
from notifications.models import Message
from notifications.policy import channel_available


class SignInForm(LoginForm):
    """allauth's sign-in form (ACCOUNT_FORMS) without a help text under the password.

    The page lays its fields out by hand and offers "Forgotten your password?" next to
    the button; allauth's help text, which the page does not show, would leave the
    password field described by an element that is not there.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""


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
    error_summary_level = 3  # under its section's heading on the settings page
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)


class EmailChangeForm(forms.Form):
    error_summary_level = 3  # under its section's heading on the settings page
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
    error_summary_level = 3  # under its section's heading on the settings page
    mobile = forms.CharField(
        label="New mobile number",
        max_length=32,
        help_text="A UK mobile, for example 07700 900123. We text a code to it; "
        "the number is yours here once you enter that code.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    # Shown instead of the form while SMS is disabled: no code could reach a new number.
    SMS_UNAVAILABLE = (
        "Texts are turned off on this portal, so a new mobile number cannot be checked."
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.sms_available = channel_available(Message.Channel.SMS)

    def clean_mobile(self) -> str:
        if not self.sms_available:
            raise forms.ValidationError(self.SMS_UNAVAILABLE)
        raw = self.cleaned_data["mobile"]
        try:
            mobile = mobile_for_texts(raw)
        except ValueError as error:
            raise forms.ValidationError(f"{raw} {error}.") from error
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


class AccountCloseForm(forms.Form):
    """Closing one's own account: confirmed with the account's password."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        help_text="To check that it is you closing the account.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, limited: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Too many tries just now: the password is not even checked.
        self.limited = limited

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if self.limited:
            raise forms.ValidationError(
                "You have tried several passwords just now. Wait a minute, then try again.",
                code="too_many_tries",
            )
        if not self.user.check_password(password):
            raise forms.ValidationError(
                "That is not your password. Your account is still open.", code="wrong_password"
            )
        return password


class ClosedAccountFindForm(forms.Form):
    """Platform staff look up one closed account by its exact email or mobile."""

    contact = forms.CharField(
        label="Email address or mobile number",
        max_length=254,
        help_text="Exactly as the person gave it to us: one account is shown, never a list.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_contact(self) -> dict[str, str]:
        """{"email": ...} or {"mobile": ...} (E.164), whichever the text is."""
        raw = self.cleaned_data["contact"].strip()
        if "@" in raw:
            return {"email": normalise_email(raw)}
        # Any number that could be stored, in any UK format: only an exact match counts.
        try:
            number = phonenumbers.parse(raw, "GB")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_possible_number(number):
            raise forms.ValidationError(
                "Enter an email address, or a mobile number such as 07700 900123."
            )
        return {"mobile": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)}
