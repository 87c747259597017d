"""Forms on the invitation page: the consent choices, a new parent's account, and
the one-time code that proves a claim to the invited contact.

The label of each consent box is the purpose's statement from consent.wording,
the same words the Privacy and consent page shows beside that purpose, and
exactly what the consent ledger records when the box is ticked: what the parent
read and what is kept are the same, wherever they gave it.
"""

import re

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from accounts.lookup import normalise_email
from accounts.models import User
from consent.models import Purpose
from consent.wording import PURPOSE_STATEMENT

EMAIL_TAKEN = "An account already uses this email address."
CODE_FORMAT = "Enter the 6 digits of the code we sent, for example 123456."


def code_field() -> forms.CharField:
    return forms.CharField(
        label="Code",
        help_text="The 6 digits we sent you.",
        max_length=20,
        error_messages={"required": CODE_FORMAT},
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
                "class": "code-input",
            }
        ),
    )


def clean_code(value: str) -> str:
    """Six digits, with any spaces the person typed taken out."""
    digits = "".join(value.split())
    if not re.fullmatch(r"[0-9]{6}", digits):
        raise ValidationError(CODE_FORMAT, code="format")
    return digits


def email_in_use(email: str, *, exclude: User | None) -> bool:
    """Whether an account other than ``exclude`` has this email, ignoring case."""
    accounts = User.objects.filter(email__iexact=normalise_email(email))
    if exclude is not None:
        accounts = accounts.exclude(pk=exclude.pk)
    return accounts.exists()


class ConsentForm(forms.Form):
    """The three choices on the invitation page; only the first is needed to join.
    The template marks the other two as optional beside, not inside, their statement."""

    platform = forms.BooleanField(
        label=PURPOSE_STATEMENT[Purpose.PLATFORM],
        required=True,
        error_messages={
            "required": "Tick the box to agree to the privacy notice: you cannot join without it."
        },
        widget=forms.CheckboxInput(attrs={"aria-describedby": "privacy-notice-link"}),
    )
    media_promotion = forms.BooleanField(
        label=PURPOSE_STATEMENT[Purpose.MEDIA_PROMOTION], required=False
    )
    marketing_email = forms.BooleanField(
        label=PURPOSE_STATEMENT[Purpose.MARKETING_EMAIL], required=False
    )

    CONSENT_FIELDS = {
        "platform": Purpose.PLATFORM,
        "media_promotion": Purpose.MEDIA_PROMOTION,
        "marketing_email": Purpose.MARKETING_EMAIL,
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def consents(self) -> dict[str, str]:
        """Each ticked purpose, with the exact wording the parent was shown (its label)."""
        return {
            purpose: PURPOSE_STATEMENT[purpose]
            for name, purpose in self.CONSENT_FIELDS.items()
            if self.cleaned_data.get(name)
        }

    def consent_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.CONSENT_FIELDS]


class ClaimForm(ConsentForm):
    """The consent choices and the code sent to the invited contact, for an account
    whose email and mobile both differ from the invitation's."""

    code = code_field()

    field_order = ["code"]

    def clean_code(self) -> str:
        return clean_code(self.cleaned_data["code"])


class RegistrationForm(ConsentForm):
    """A new parent's name and password, and an email address when the school
    had none for them (login is by email). An email the school has is kept;
    without one, the code sent to the invitation's mobile is asked for too."""

    first_name = forms.CharField(
        label="First name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label="Email address",
        help_text="You will use it to sign in.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["code", "first_name", "last_name", "email", "password1", "password2"]

    def __init__(
        self,
        *args,
        account: User | None,
        invited_email: str = "",
        needs_code: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.account = account
        self.invited_email = invited_email
        self.email_taken = False
        if needs_code:
            self.fields["code"] = code_field()
            self.order_fields(self.field_order)
        if account is not None:
            self.fields["first_name"].initial = account.first_name
            self.fields["last_name"].initial = account.last_name
        if self.account_email:
            del self.fields["email"]
        self.fields[
            "password1"
        ].help_text = password_validation.password_validators_help_text_html()

    @property
    def account_email(self) -> str:
        """The email the school has for the parent: kept, not asked for."""
        if self.invited_email:
            return self.invited_email
        return (self.account.email or "") if self.account is not None else ""

    def clean_code(self) -> str:
        return clean_code(self.cleaned_data["code"])

    def clean_email(self) -> str:
        email = normalise_email(self.cleaned_data["email"])
        if email_in_use(email, exclude=self.account):
            self.email_taken = True
            raise ValidationError(EMAIL_TAKEN, code="taken")
        return email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords do not match.")
        elif first:
            candidate = User(
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=self.account_email or cleaned.get("email") or None,
            )
            try:
                password_validation.validate_password(first, user=candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def mark_email_taken(self) -> None:
        """Another account took the email between checking and saving."""
        self.email_taken = True
        if "email" in self.fields:
            self.add_error("email", EMAIL_TAKEN)
        else:
            self.add_error(None, EMAIL_TAKEN)

    def registration(self) -> dict:
        """Keyword arguments for invitation_register, less the consents."""
        return {
            "first_name": self.cleaned_data["first_name"],
            "last_name": self.cleaned_data["last_name"],
            "email": self.cleaned_data.get("email") or None,
            "password": self.cleaned_data["password1"],
            "code": self.cleaned_data.get("code"),
        }
