from functools import partial

from accounts.access.navigation import navigation_for


def navigation(request) -> dict:
    """The links the signed-in user's roles open, for the site header.

    A callable, so pages that do not show the header run no query for it.
    """
    return {"nav_links": partial(navigation_for, request.user)}
