"""How the checkpoint says no.

An object the user may not see is a 404 whether it exists or not, so a refusal
never confirms that another school's pupil, topic or invitation exists. Refusals
are their own exception types (a ``Http404`` and a ``PermissionDenied``) so that
they can be told apart from an ordinary "no such page" and recorded as security
events (``accounts.middleware.AccessRefusalMiddleware``).
"""

from __future__ import annotations

from typing import NoReturn

from django.core.exceptions import PermissionDenied
from django.http import Http404


class NotVisible(Http404):
    """The object does not exist for this user: answered as a 404."""


class NotAllowed(PermissionDenied):
    """The user may not use this page at all (a parent on a staff page): a 403."""


def refuse(message: str) -> NoReturn:
    raise NotVisible(message)


def forbid(message: str) -> NoReturn:
    raise NotAllowed(message)
