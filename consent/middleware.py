from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from consent.selectors import privacy_status_for_request

# Paths open to a user who must agree to the privacy notice first: the pages to
# agree or to read the notice, signing out and other account pages, their own data
# (see it, download it, ask for erasure), closing their account instead of agreeing,
# the second factor, invitations (accepting one records consent itself), cookie
# choices, static files and the health check.
OPEN_PREFIXES = (
    "/privacy/agree/",
    "/privacy/notice/",
    "/privacy/notices/",
    "/cookies/",
    "/accounts/",
    # A person's own data: seeing it, downloading it and asking for its erasure
    # never wait on agreeing to a notice.
    "/account/data/",
    "/account/close/",
    "/two-factor/",
    "/invitations/",
    # Stopping messages from a link in one of them never waits on anything.
    "/stop/",
    "/static/",
    "/healthz",
)


class ConsentGateMiddleware:
    """A signed-in user who must give platform consent sees no other page first.

    That is a user whose consent predates a published notice that requires
    re-consent, or who withdrew it in their privacy settings (withdrawing is one
    click and takes effect on the next request: from then on the portal only asks
    them to agree again or sign out). Users who never gave platform consent (staff)
    are not asked. Costs one query per signed-in request, shared with the banners
    through ``privacy_status_for_request``; nothing for visitors.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and privacy_status_for_request(request).must_consent
        ):
            target = reverse("consent:privacy_reconsent")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
