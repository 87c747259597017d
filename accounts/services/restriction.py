"""A person restricting how their data is used, and lifting it.

While an account's processing is restricted its data is kept, but nothing more is
done with it: no messages go to it (``notifications.policy`` and the outbox check
the flag at queueing and again at delivery), nothing it does is tracked
(``engagement.services.event_record``), and its families count in no report
(``engagement.selectors.families``). The person can still sign in and see their
children's work. Each change is an audit entry.
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from audit.services import audit_record


@transaction.atomic
def processing_restriction_set(*, user: User, restricted: bool, actor: User) -> bool:
    """Restrict (or lift the restriction on) ``user``'s data; ``actor`` is the person
    themselves, or staff acting on their request. Returns whether anything changed."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.processing_restricted == restricted:
        return False
    user.processing_restricted = restricted
    user.save(update_fields=["processing_restricted"])
    audit_record(
        actor=actor,
        action="user.restrict" if restricted else "user.unrestrict",
        subject=user,
        changes={"processing_restricted": restricted, "on_request": actor.pk != user.pk},
    )
    return True
