"""The form that confirms a person's erasure of their own data."""

from django import forms

CONFIRMATION_WORD = "ERASE"


class ErasureForm(forms.Form):
    """A parent confirms an erasure twice over: the word, so nothing is erased by a
    slip, and their password, so nobody else at an unlocked phone can do it."""

    confirmation = forms.CharField(
        label=f"Type {CONFIRMATION_WORD} to confirm",
        max_length=20,
        help_text="This cannot be undone.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, limited: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Too many tries just now: the password is not even checked.
        self.limited = limited

    def clean_confirmation(self) -> str:
        word = self.cleaned_data["confirmation"].strip()
        if word.upper() != CONFIRMATION_WORD:
            raise forms.ValidationError(f"Type {CONFIRMATION_WORD} to confirm.")
        return word

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if self.limited:
            raise forms.ValidationError(
                "You have tried several passwords just now. Wait a minute, then try again.",
                code="too_many_tries",
            )
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
