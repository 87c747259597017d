"""The breach register: platform staff only, by the permissions of their group.

Staff with ``privacy.view_incident`` read the register and each incident
(schools' names and counts of people, never a family's name); with
``privacy.add_incident`` they record one, and with ``privacy.change_incident``
they take its steps (scope, report, notices, retrospective, closing). Nobody
deletes an incident: it is the record that the law was followed.
"""

from __future__ import annotations

from accounts.access.roles import is_signed_in


def _platform_staff_with(user, permission: str) -> bool:
    return is_signed_in(user) and user.is_staff and user.has_perm(f"privacy.{permission}")


def can_view_incidents(user) -> bool:
    return _platform_staff_with(user, "view_incident") or can_manage_incidents(user)


def can_record_incident(user) -> bool:
    return _platform_staff_with(user, "add_incident")


def can_manage_incidents(user) -> bool:
    return _platform_staff_with(user, "change_incident")
