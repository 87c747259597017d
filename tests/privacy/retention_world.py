"""Families for the retention task's tests, placed in time: every date is relative
to ``START``, about a year ago, and each test runs the task at chosen moments
after it (``now=``), so the boundaries (89, 90 and 91 days; 11 and 12 months;
30 days after a notice) are met exactly, without a clock library."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from notifications.models import Message
from tests.factories import GuardianshipFactory, PupilFactory, UserFactory

# Far enough back that "11 months after START" is already past: a real sign-in
# now is later than every notice the tests send.
START = timezone.now().replace(microsecond=0) - timedelta(days=340)


def day(number: int, *, hours: int = 0):
    """``number`` days after ``START``."""
    return START + timedelta(days=number, hours=hours)


def parent_last_active(at, *, child=None, **fields) -> User:
    """A parent who joined a month before ``at`` and was last active (signed in and
    on a page) at ``at``, linked to ``child`` (a new pupil by default)."""
    fields.setdefault("mobile", "+447700900123")
    user = UserFactory(
        date_joined=at - timedelta(days=30), last_login=at, last_active_at=at, **fields
    )
    GuardianshipFactory(parent=user, pupil=child or PupilFactory())
    return user


def notices(user: User | None = None):
    rows = Message.objects.filter(template="account_closing")
    return rows.filter(recipient=user) if user is not None else rows


def fresh(row):
    row.refresh_from_db()
    return row
