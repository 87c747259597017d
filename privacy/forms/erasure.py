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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_confirmation(self) -> str:
        word = self.cleaned_data["confirmation"].strip()
        if word.upper() != CONFIRMATION_WORD:
            raise forms.ValidationError(f"Type {CONFIRMATION_WORD} to confirm.")
        return word

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
