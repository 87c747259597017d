from functools import partial

from django.urls import reverse

from consent.cookies import CATEGORY_DESCRIPTION, cookie_choices_for
from consent.selectors import privacy_status_for_request


def _new_notice(request):
    if not request.user.is_authenticated or request.path == reverse("consent:privacy_reconsent"):
        return None
    return privacy_status_for_request(request).new_notice


def _cookie_banner_shown(request) -> bool:
    if request.path == reverse("consent:cookie_settings"):
        return False  # the page itself holds the same form
    return not cookie_choices_for(request).made


def privacy(request) -> dict:
    """The new-notice banner and the cookie banner on every page.

    Callables, so a page that does not render them runs nothing for them; for a
    signed-in user both read the one per-request query the consent gate shares.
    """
    return {
        "new_privacy_notice": partial(_new_notice, request),
        "cookie_banner_shown": partial(_cookie_banner_shown, request),
        "cookie_descriptions": {key.value: text for key, text in CATEGORY_DESCRIPTION.items()},
    }
