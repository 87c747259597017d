from functools import partial

from accounts.access.navigation import navigation_for


def _links(request) -> list:
    if getattr(request, "second_factor_pending", False):
        return []
    return navigation_for(request.user)


def navigation(request) -> dict:
    """The links the signed-in user's roles open, for the site header; none for a
    staff member who has not passed the second factor yet
    (``accounts.middleware.StaffTwoFactorMiddleware`` says which).

    A callable, so pages that do not show the header run no query for it.
    """
    return {
        "nav_links": partial(_links, request),
        "second_factor_pending": getattr(request, "second_factor_pending", False),
    }
