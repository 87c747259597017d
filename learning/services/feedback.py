"""Every write a family's work makes: completions and taking one back, feedback
(rating, comment, photo), its removal and moderation, and the record that a
parent opened a topic. Each records its engagement events (``event_record``):
opening a topic, completing an activity, rating, commenting, sharing a photo.

Each service checks, through ``accounts.access``, that the actor may do it
(raising ``PermissionDenied`` otherwise: views have already turned anything the
user may not see into a 404), and runs in one transaction.

Feedback rules:

- one parent keeps one live feedback per child and activity; saving again
  updates it;
- at a school that moderates, a new or changed comment or photo waits for a
  member of staff (``PENDING``) before staff other than moderators see it;
  elsewhere it is shared at once (``APPROVED`` with no moderator); a rating alone
  needs no approval;
- removing (by the parent) or rejecting (by staff) deletes the photo from
  storage once the transaction commits; a rejected comment stays in the
  parent's own record only.

Undoing "We did this" (``completion_undo``): the parent who marked it, on the
same day (local time, ``TIME_ZONE``), while nobody has given feedback on it. An
award it earned is kept, and its message still goes: awards are granted and
announced once and never taken back.

Photos arrive here already checked and cleaned (``learning.photos.photo_prepare``).
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts import access
from accounts.models import User
from audit.services import audit_record
from engagement.models import Event
from engagement.services import event_record
from learning.models import Activity, Assignment, Completion, Feedback
from learning.photos import PreparedPhoto
from learning.selectors.space import activity_set_for_child
from learning.tasks import awards_evaluate_task
from schools.models import Guardianship, Pupil

COMMENT_MAX_LENGTH = Feedback._meta.get_field("comment").max_length


class FeedbackError(Exception):
    """The feedback cannot be saved as asked; the message says why, for the page."""


class CompletionUndoError(Exception):
    """The work stays marked as done; the message says why, for the page."""


def _lock_family(*, parent: User, pupil: Pupil) -> None:
    """Serialise one parent's writes for one child (concurrent taps, two tabs)."""
    locked = (
        Guardianship.objects.select_for_update()
        .filter(parent=parent, pupil=pupil, confirmed_at__isnull=False, ended_at__isnull=True)
        .values_list("pk", flat=True)
    )
    if not list(locked):
        raise PermissionDenied("Not this parent's child.")


def _require_recorder(*, actor: User, pupil: Pupil, activity: Activity) -> None:
    if not access.can_record_for_child(actor, pupil):
        raise PermissionDenied("Only the child's parent can record this.")
    if not activity_set_for_child(pupil=pupil, activity=activity):
        raise PermissionDenied("This activity has not been set for the child.")


def _audit(feedback: Feedback, *, action: str, actor: User, school, **changes) -> None:
    audit_record(
        actor=actor,
        action=action,
        subject=feedback,
        school=school,
        changes={"pupil": feedback.pupil_id, "activity": feedback.activity_id, **changes},
    )


def _delete_file_on_commit(storage, name: str) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def completion_record(*, pupil: Pupil, activity: Activity, actor: User) -> Completion:
    """The child did the activity ("We did this"). Recorded once, whichever parent
    says so and however often; the first time is an ACTIVITY_COMPLETED event."""
    _require_recorder(actor=actor, pupil=pupil, activity=activity)
    completion, created = Completion.objects.get_or_create(
        pupil=pupil, activity=activity, defaults={"completed_by": actor}
    )
    subject = f"activity:{activity.pk}"
    if created:
        # Marked done again after an undo: the engagement record already has it.
        if not Event.objects.filter(
            pupil=pupil, kind=Event.Kind.ACTIVITY_COMPLETED, subject=subject
        ).exists():
            event_record(
                actor=actor,
                kind=Event.Kind.ACTIVITY_COMPLETED,
                school=pupil.school,
                pupil=pupil,
                subject=subject,
            )
        audit_record(
            actor=actor,
            action="completion.record",
            subject=completion,
            school=pupil.school,
            changes={"pupil": pupil.pk, "activity": activity.pk},
        )
        # Awards are worked out after commit, by a worker: the parent's tap does
        # not wait for them, and a rolled-back completion earns nothing.
        transaction.on_commit(lambda: awards_evaluate_task.delay(pupil.pk), robust=True)
    return completion


def completion_undo_open(completion: Completion, *, user: User) -> bool:
    """Is "Undo" still open to this user: the parent who marked it done, on that same
    local day? (``completion_undo`` also refuses once there is feedback on it.)"""
    return (
        completion.completed_by_id == user.pk
        and timezone.localdate(completion.completed_at) == timezone.localdate()
    )


@transaction.atomic
def completion_undo(*, completion: Completion, actor: User) -> None:
    """Take back "We did this" marked by mistake: only the parent who marked it, only
    on the day they did, and only while nobody has given feedback on it (raises
    CompletionUndoError saying why otherwise). Awards it earned are kept and still
    announced; the engagement event stays (events are append-only)."""
    if not access.can_undo_completion(actor, completion):
        raise PermissionDenied("Only the parent who marked it done can undo it.")
    _lock_family(parent=actor, pupil=completion.pupil)
    locked = Completion.objects.select_related("activity").filter(pk=completion.pk).first()
    if locked is None:
        return  # Undone a moment ago (a second tap, another tab).
    title = locked.activity.title
    marked_on = timezone.localdate(locked.completed_at)
    if marked_on != timezone.localdate():
        raise CompletionUndoError(
            f"“{title}” was marked as done on {marked_on.day} {marked_on:%B}: "
            "it can only be undone on the day it was marked."
        )
    feedback = Feedback.objects.filter(
        pupil_id=locked.pupil_id, activity_id=locked.activity_id, removed_at__isnull=True
    )
    if feedback.filter(parent=actor).exists():
        raise CompletionUndoError(
            f"You have given feedback on “{title}”: remove it first, then undo “We did this”."
        )
    if feedback.exists():
        raise CompletionUndoError(f"There is feedback on “{title}”, so it stays done.")
    audit_record(
        actor=actor,
        action="completion.undo",
        subject=locked,
        school=completion.pupil.school,
        changes={"pupil": locked.pupil_id, "activity": locked.activity_id},
    )
    locked.delete()


def _feedback_events(
    *, rating_changed: bool, comment_changed: bool, photo_added: bool
) -> list[str]:
    """The engagement events one save of feedback makes: a new or changed rating,
    a new or changed comment, a photo shared. Saving the same again makes none."""
    kinds = []
    if rating_changed:
        kinds.append(Event.Kind.RATED)
    if comment_changed:
        kinds.append(Event.Kind.COMMENTED)
    if photo_added:
        kinds.append(Event.Kind.PHOTO_SHARED)
    return kinds


@transaction.atomic
def feedback_save(
    *,
    pupil: Pupil,
    activity: Activity,
    actor: User,
    rating: int | None,
    comment: str,
    photo: PreparedPhoto | None = None,
) -> Feedback:
    """Save the parent's rating, comment and (new) photo for the activity done with
    the child: their one live feedback, created or updated. A photo replaces the
    one before, which is deleted from storage."""
    _require_recorder(actor=actor, pupil=pupil, activity=activity)
    if rating is not None and not 1 <= rating <= 5:
        raise FeedbackError("A rating is from 1 to 5.")
    comment = comment.strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise FeedbackError(f"A comment is at most {COMMENT_MAX_LENGTH} characters.")
    _lock_family(parent=actor, pupil=pupil)
    feedback = Feedback.objects.filter(
        pupil=pupil, activity=activity, parent=actor, removed_at__isnull=True
    ).first()
    if feedback is None:
        if rating is None and not comment and photo is None:
            raise FeedbackError("Choose a rating, write a comment or add a photo.")
        feedback = Feedback(pupil=pupil, activity=activity, parent=actor)
    previous_comment, previous_rating = feedback.comment, feedback.rating
    content_changed = feedback.pk is None or photo is not None or comment != feedback.comment
    feedback.rating = rating
    feedback.comment = comment
    replaced_photo = feedback.photo.name if photo is not None else ""
    if photo is not None:
        feedback.photo.save(f"photo.{photo.extension}", ContentFile(photo.content), save=False)
    if content_changed:
        has_content = bool(feedback.comment or feedback.photo)
        waits = pupil.school.moderate_feedback and has_content
        feedback.moderation_status = (
            Feedback.Moderation.PENDING if waits else Feedback.Moderation.APPROVED
        )
        feedback.moderated_by = None
        feedback.moderated_at = None
    try:
        feedback.save()
        for kind in _feedback_events(
            rating_changed=rating is not None and rating != previous_rating,
            comment_changed=bool(comment) and comment != previous_comment,
            photo_added=photo is not None,
        ):
            event_record(
                actor=actor,
                kind=kind,
                school=pupil.school,
                pupil=pupil,
                subject=f"activity:{activity.pk}",
            )
    except Exception:
        # The transaction rolls back; the new file must not outlive it.
        if photo is not None:
            feedback.photo.storage.delete(feedback.photo.name)
        raise
    _audit(
        feedback,
        action="feedback.save",
        actor=actor,
        school=pupil.school,
        # What changed, never the words or the picture themselves.
        rating=rating,
        comment_changed=comment != previous_comment,
        photo_added=photo is not None,
        moderation=feedback.moderation_status,
    )
    _delete_file_on_commit(feedback.photo.storage, replaced_photo)
    return feedback


@transaction.atomic
def feedback_remove(*, feedback: Feedback, actor: User) -> None:
    """The parent takes their feedback back: rating, comment and photo are gone
    (the photo deleted from storage); only the fact that there was one remains."""
    if not access.can_remove_feedback(actor, feedback):
        raise PermissionDenied("Only the parent who gave it can remove it.")
    feedback = (
        Feedback.objects.select_for_update(of=("self",))
        .select_related("pupil__school")
        .get(pk=feedback.pk)
    )
    if feedback.removed_at is not None:
        return
    photo_name = feedback.photo.name
    feedback.rating = None
    feedback.comment = ""
    feedback.photo = ""
    feedback.removed_at = timezone.now()
    feedback.save(update_fields=["rating", "comment", "photo", "removed_at", "updated_at"])
    _audit(
        feedback,
        action="feedback.remove",
        actor=actor,
        school=feedback.pupil.school,
        photo_deleted=bool(photo_name),
    )
    _delete_file_on_commit(feedback.photo.storage, photo_name)


class Decision:
    APPROVE = "approve"
    REJECT = "reject"


@transaction.atomic
def feedback_moderate(
    *, feedback: Feedback, decision: Literal["approve", "reject"], actor: User
) -> Feedback:
    """A teacher of the child's class or a school admin approves a comment and photo
    (staff then see them) or rejects them (the photo is deleted from storage; the
    comment stays only in the parent's own record). Either can be changed later."""
    if decision not in (Decision.APPROVE, Decision.REJECT):
        raise ValueError(f"Unknown decision {decision!r}.")
    if not access.can_moderate_feedback(actor, feedback):
        raise PermissionDenied("Only the child's teachers and school admins moderate.")
    feedback = (
        Feedback.objects.select_for_update(of=("self",))
        .select_related("pupil__school")
        .get(pk=feedback.pk)
    )
    if feedback.removed_at is not None:
        raise FeedbackError("The family has removed this feedback.")
    photo_name = ""
    if decision == Decision.APPROVE:
        feedback.moderation_status = Feedback.Moderation.APPROVED
    else:
        feedback.moderation_status = Feedback.Moderation.REJECTED
        photo_name = feedback.photo.name
        feedback.photo = ""
    feedback.moderated_by = actor
    feedback.moderated_at = timezone.now()
    feedback.save(
        update_fields=["moderation_status", "moderated_by", "moderated_at", "photo", "updated_at"]
    )
    _audit(
        feedback,
        action=f"feedback.{decision}",
        actor=actor,
        school=feedback.pupil.school,
        photo_deleted=bool(photo_name),
    )
    _delete_file_on_commit(feedback.photo.storage, photo_name)
    return feedback


@transaction.atomic
def assignment_open_record(*, assignment: Assignment, pupil: Pupil, actor: User) -> bool:
    """Record that the parent opened a topic set for the child (ASSIGNMENT_OPENED,
    subject ``assignment:<pk>``): at most once per parent, child and assignment
    per day (school local time), so reports can count the days a family came
    back. Nothing for a child the school has removed, or a restricted account.
    Returns whether an event was recorded."""
    if not access.children_of(actor).filter(pk=pupil.pk).exists():
        raise PermissionDenied("Not this parent's child.")
    if actor.processing_restricted or pupil.removed_by_school_at is not None:
        return False
    _lock_family(parent=actor, pupil=pupil)
    subject = f"assignment:{assignment.pk}"
    today_began = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time.min)
    )
    already = Event.objects.filter(
        actor=actor,
        pupil=pupil,
        kind=Event.Kind.ASSIGNMENT_OPENED,
        subject=subject,
        at__gte=today_began,
    ).exists()
    if already:
        return False
    recorded = event_record(
        actor=actor,
        kind=Event.Kind.ASSIGNMENT_OPENED,
        school=pupil.school,
        pupil=pupil,
        subject=subject,
    )
    if recorded is None:
        return False  # not tracked (engagement.services.event_record says when)
    audit_record(
        actor=actor,
        action="assignment.open",
        subject=assignment,
        school=pupil.school,
        changes={"pupil": pupil.pk},
    )
    return True
