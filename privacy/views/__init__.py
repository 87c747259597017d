"""The privacy app's pages, one module per noun."""

from privacy.views.erasure import erase, erased

__all__ = ["erase", "erased"]
