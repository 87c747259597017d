"""The privacy app's forms, one module per noun."""

from privacy.forms.erasure import CONFIRMATION_WORD, ErasureForm

__all__ = ["CONFIRMATION_WORD", "ErasureForm"]
