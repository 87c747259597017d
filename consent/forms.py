from django import forms

from consent.cookies import CATEGORY_DESCRIPTION, Category, CookieChoices
from consent.models import Purpose


class CookieChoiceForm(forms.Form):
    """The cookie banner and the cookie settings page: the same fields, one view.

    ``decision`` is the button pressed: accept every category, reject every optional
    one, or save the boxes as ticked.
    """

    ACCEPT, REJECT, SAVE = "accept", "reject", "save"
    SOURCES = ("banner", "settings")

    performance = forms.BooleanField(
        required=False,
        label="Performance cookies",
        help_text=CATEGORY_DESCRIPTION[Category.PERFORMANCE],
    )
    functional = forms.BooleanField(
        required=False,
        label="Functional cookies",
        help_text=CATEGORY_DESCRIPTION[Category.FUNCTIONAL],
    )
    decision = forms.ChoiceField(
        choices=[(ACCEPT, "Accept all"), (REJECT, "Reject"), (SAVE, "Save")], initial=SAVE
    )
    source = forms.ChoiceField(choices=[(s, s) for s in SOURCES], required=False)
    next = forms.CharField(required=False, max_length=2000)

    def choices(self) -> CookieChoices:
        decision = self.cleaned_data["decision"]
        if decision == self.ACCEPT:
            return CookieChoices(performance=True, functional=True, made=True)
        if decision == self.REJECT:
            return CookieChoices(made=True)
        return CookieChoices(
            performance=self.cleaned_data["performance"],
            functional=self.cleaned_data["functional"],
            made=True,
        )


class ConsentChangeForm(forms.Form):
    """One button on the privacy and consent page: give or withdraw one purpose."""

    GRANT, WITHDRAW = "grant", "withdraw"

    purpose = forms.ChoiceField(choices=Purpose.choices)
    action = forms.ChoiceField(choices=[(GRANT, "Give"), (WITHDRAW, "Withdraw")])
    # Withdrawing the platform consent is asked about first; the confirmation
    # page sends this back.
    confirmed = forms.BooleanField(required=False)

    @property
    def granted(self) -> bool:
        return self.cleaned_data["action"] == self.GRANT


class ReconsentForm(forms.Form):
    """An unticked box the person ticks to agree to the current notice."""

    agree = forms.BooleanField(
        required=True,
        error_messages={"required": "Tick the box to agree, or sign out."},
    )
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args, statement: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agree"].label = statement
