"""A school that has left the portal (offboarded) takes no new data.

``schools.services.school_offboard`` sets ``School.status`` to offboarded; from
then on every service that would take new data for the school asks
``school_takes_new_data`` and refuses with ``offboarded_message``: roster imports,
invitations and their reminders, setting work, nudges and adding staff. Events
and families' feedback are refused by the rule that already stops them for
pupils the school has removed, with the school's status checked beside it.
"""

from __future__ import annotations

from schools.models import School


def offboarded_message(school: School) -> str:
    return f"{school.name} has left the portal, so nothing new can be added for it."


class SchoolOffboardedError(Exception):
    """The school has left the portal: the message says so, for the person asking."""

    def __init__(self, school: School):
        super().__init__(offboarded_message(school))
        self.school = school


def school_takes_new_data(*, school_id: int, lock: bool = False) -> bool:
    """Whether the school is still on the portal, read from the database now.

    ``lock``: hold its row until the transaction ends, so an offboarding under way
    is waited for, and one that starts later waits for this change.
    """
    rows = School.objects.filter(pk=school_id)
    if lock:
        rows = rows.select_for_update()
    return rows.values_list("status", flat=True).first() == School.Status.ACTIVE


def refuse_if_offboarded(school: School, *, lock: bool = False) -> None:
    """Raise SchoolOffboardedError when ``school`` has left the portal."""
    if not school_takes_new_data(school_id=school.pk, lock=lock):
        raise SchoolOffboardedError(school)
