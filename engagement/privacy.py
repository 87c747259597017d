"""The personal data engagement holds: what a parent did with a child (events and
the daily summary) and the nudges teachers sent them; and the engagement table of a
school's own export."""

from django.db.models import Case, Count, F, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from engagement.models import EngagementDay, Event, Nudge
from privacy.registry import (
    PER_PARENT,
    USER,
    DataCategory,
    SchoolTable,
    erase_grouped,
    iso,
    register,
    register_table,
)

# Rows fetched at a time when a school's export streams a table.
CHUNK_ROWS = 2000


@register
class EventCategory(DataCategory):
    """Events are append-only and feed the schools' engagement figures, so erasure
    anonymises them: the actor link goes (as when the account is deleted, the
    foreign key being SET_NULL) and the school's counts keep the event without
    identity. For a pupil, the parent links of the pupil's events go; the pupil's
    own identity goes with the pupil's anonymisation (``schools.privacy``)."""

    name = "events"
    description = "What a parent did with a child: sign-ins, topics, videos, games, work done."
    models = ("engagement.Event",)
    # A parent's copy has what they did with the child, not what another parent did.
    parent_copy = PER_PARENT

    def _export(self, rows):
        return [
            {"kind": row.kind, "pupil": row.pupil_id, "subject": row.subject, "at": iso(row.at)}
            for row in rows.order_by("at", "pk")
        ]

    def export_user(self, user):
        return self._export(Event.objects.filter(actor=user))

    def export_pupil(self, pupil):
        return self._export(Event.objects.filter(pupil=pupil))

    def export_pupil_for_parent(self, pupil, parent):
        return self._export(Event.objects.filter(pupil=pupil, actor=parent))

    def erase_user(self, user):
        return Event.objects.filter(actor=user).update(actor=None)

    def erase_pupil(self, pupil):
        return Event.objects.filter(pupil=pupil).exclude(actor=None).update(actor=None)

    def erase_users(self, users):
        return erase_grouped(Event.objects.all(), "actor", users, _anonymise)

    def erase_pupils(self, pupils):
        return erase_grouped(Event.objects.exclude(actor=None), "pupil", pupils, _anonymise)


def _anonymise(rows):
    rows.update(actor=None)


@register
class EngagementDayCategory(DataCategory):
    """A summary of the parent's events by local day: deleted, not anonymised (a
    row without its parent means nothing)."""

    name = "engagement_days"
    description = "The days a parent was active at a school."
    models = ("engagement.EngagementDay",)
    subjects = (USER,)

    def export_user(self, user):
        return [
            {"school": row.school_id, "day": iso(row.day)}
            for row in EngagementDay.objects.filter(parent=user).order_by("day", "pk")
        ]

    def erase_user(self, user):
        return EngagementDay.objects.filter(parent=user).delete()[0]

    def erase_users(self, users):
        return erase_grouped(EngagementDay.objects.all(), "parent", users, _delete)


def _delete(rows):
    rows.delete()


@register
class NudgeCategory(DataCategory):
    """Nudges a parent received are deleted; a teacher's erasure removes the
    sender link from the nudges they sent."""

    name = "nudges"
    description = "Reminders a teacher sent a parent about a piece of work."
    models = ("engagement.Nudge",)
    subjects = (USER,)

    def export_user(self, user):
        return [
            {"assignment": row.assignment_id, "sent_at": iso(row.sent_at)}
            for row in Nudge.objects.filter(parent=user).order_by("pk")
        ]

    def erase_user(self, user):
        deleted = Nudge.objects.filter(parent=user).delete()[0]
        return deleted + Nudge.objects.filter(sent_by=user).update(sent_by=None)

    def erase_users(self, users):
        deleted = erase_grouped(Nudge.objects.all(), "parent", users, _delete)
        sent = erase_grouped(Nudge.objects.all(), "sent_by", users, _unsent)
        return {user.pk: deleted.get(user.pk, 0) + sent.get(user.pk, 0) for user in users}


def _unsent(rows):
    rows.update(sent_by=None)


@register_table
class EngagementTable(SchoolTable):
    """Counted in the database from the events (one row per pupil, school-local day
    and kind), so a year of a large school's events is a few hundred thousand rows
    at most. An anonymised pupil's rows keep their counts with the pupil left blank."""

    name = "engagement"
    description = (
        "What families did with each pupil, per day (UK time) and kind: sign-ins, topics "
        "and activities opened, videos started, games opened, work done, ratings, comments "
        "and photos, with the number of times."
    )
    columns = ("date", "pupil_id", "upn", "kind", "kind_label", "events")
    position = 30

    def rows(self, school):
        pupil = Case(When(pupil__anonymised_at__isnull=True, then=F("pupil_id")), default=None)
        days = (
            Event.objects.filter(school=school)
            .annotate(date=TruncDate("at", tzinfo=timezone.get_default_timezone()), who=pupil)
            .values("date", "who", "pupil__upn", "kind")
            .annotate(events=Count("pk"))
            .order_by("date", F("who").asc(nulls_last=True), "kind")
            .values_list("date", "who", "pupil__upn", "kind", "events")
        )
        labels = dict(Event.Kind.choices)
        for date, who, upn, kind, events in days.iterator(chunk_size=CHUNK_ROWS):
            yield (date, who, upn or "", kind, labels.get(kind, kind), events)
