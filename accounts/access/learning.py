"""Who may see, write and set topics, and who sees what families shared.

Topics: library topics, once published, are open to every school's staff and
never editable by them; a school's own topics are seen and edited by that
school's teachers and admins only; platform staff see the library; a parent sees
a topic once it has started for one of their children's classes. Work set for a
class is managed by the class's teachers and the school's admins.

Families' feedback: a parent records completions and feedback for their own
children while the school still has the child on roll, and keeps seeing what they
recorded after the school removes the child. Staff see a pupil's feedback as they
see the pupil: teachers for the classes they teach, admins for their school. A
photo is seen by the parent who shared it and by those staff; never by another
parent.
"""

from __future__ import annotations

from django.db.models import Exists, Q, QuerySet
from django.utils import timezone

from accounts.access.pupils import (
    child_of_parent_or_404,
    children_of,
    classes_visible_to,
    pupils_staffed_by,
)
from accounts.access.refusals import refuse
from accounts.access.roles import is_school_staff, is_signed_in, schools_staffed_by
from accounts.models import Membership
from learning.models import Activity, Assignment, Completion, Feedback, Topic
from schools.models import Pupil

# --- Topics ----------------------------------------------------------------------


def can_author_topics(user) -> bool:
    """Teachers and school admins write their school's topics and browse the library."""
    return is_school_staff(user)


def topics_visible_to(user) -> QuerySet[Topic]:
    """Every topic this user may read, under any of their roles."""
    if not is_signed_in(user):
        return Topic.objects.none()
    started_for_children = Topic.objects.filter(
        assignments__school_class__pupils__in=children_of(user).values("pk"),
        assignments__starts_on__lte=timezone.localdate(),
    ).values("pk")
    is_staff_member = Exists(Membership.objects.filter(user=user))
    condition = (
        Q(pk__in=started_for_children)
        | Q(is_staff_member, school__isnull=True, published=True)
        | Q(school__in=schools_staffed_by(user).values("pk"))
    )
    if user.is_staff:
        condition |= Q(school__isnull=True)
    return Topic.objects.filter(condition)


def topics_for_school_staff(user) -> QuerySet[Topic]:
    """The topics a teacher or admin chooses from: the published library and their
    schools' own, drafts included (so a page can say why a draft cannot be set)."""
    if not is_signed_in(user):
        return Topic.objects.none()
    is_staff_member = Exists(Membership.objects.filter(user=user))
    return Topic.objects.filter(
        Q(is_staff_member, school__isnull=True, published=True)
        | Q(school__in=schools_staffed_by(user).values("pk"))
    )


def topics_editable_by(user) -> QuerySet[Topic]:
    """A school's own topics, for that school's teachers and admins. Never the library."""
    if not is_signed_in(user):
        return Topic.objects.none()
    return Topic.objects.filter(school__in=schools_staffed_by(user).values("pk"))


def topics_assignable_by(user) -> QuerySet[Topic]:
    """Topics the user may set for a class: the published library and their
    schools' own published topics. A draft is never set."""
    return topics_for_school_staff(user).filter(published=True)


def can_edit_topic(user, topic: Topic) -> bool:
    return topic.school_id is not None and topics_editable_by(user).filter(pk=topic.pk).exists()


def _topic_from(topics: QuerySet[Topic], topic_id) -> Topic:
    topic = topics.select_related("school").filter(pk=topic_id).first()
    if topic is None:
        refuse("No such topic.")
    return topic


def topic_or_404(user, topic_id) -> Topic:
    return _topic_from(topics_visible_to(user), topic_id)


def topic_editable_or_404(user, topic_id) -> Topic:
    """A topic the user may edit. A library topic, or another school's, is a 404 here."""
    return _topic_from(topics_editable_by(user), topic_id)


def topic_for_staff_or_404(user, topic_id) -> Topic:
    """A topic a member of staff may read and set: the library's or their school's."""
    return _topic_from(topics_for_school_staff(user), topic_id)


# --- Work set for classes --------------------------------------------------------


def assignments_managed_by(user) -> QuerySet[Assignment]:
    """Work set for the classes the user teaches, and for every class of the
    schools they administer."""
    if not is_signed_in(user):
        return Assignment.objects.none()
    return Assignment.objects.filter(school_class__in=classes_visible_to(user).values("pk"))


def assignment_or_404(user, assignment_id, *, within: QuerySet[Assignment] | None = None):
    """An assignment the user manages, with its topic, class and school; else 404.

    ``within``: the assignments to look in (a selector's, with what its page needs),
    narrowed here to those the user manages, so the check and the load are one query.
    """
    managed = assignments_managed_by(user)
    if within is not None:
        managed = within.filter(pk__in=managed.values("pk"))
    assignment = (
        managed.select_related("topic", "school_class__school").filter(pk=assignment_id).first()
    )
    if assignment is None:
        refuse("No such assignment.")
    return assignment


def child_activity_or_404(
    user, *, pupil_id, assignment_id, activity_id, kind: str
) -> tuple[Pupil, Activity]:
    """An activity of this ``kind`` in a topic set for one of the parent's own
    children (the assignment started, before the school removed the child if it
    did), with the child; anyone else, staff of the child included, gets a 404.
    For the portal's links and beacons that carry the child and the topic set
    (``learning.selectors.assignments_for_child`` states the same rule for pages)."""
    pupil = child_of_parent_or_404(user, pupil_id)
    started_by = timezone.localdate()
    if pupil.removed_by_school_at is not None:
        started_by = min(started_by, timezone.localdate(pupil.removed_by_school_at))
    activity = (
        Activity.objects.filter(
            pk=activity_id,
            kind=kind,
            topic__assignments__pk=assignment_id,
            topic__assignments__school_class_id=pupil.school_class_id,
            topic__assignments__starts_on__lte=started_by,
        )
        .select_related("topic")
        .first()
    )
    if pupil.school_class_id is None or activity is None:
        refuse("No such activity for this child.")
    return pupil, activity


# --- Families' feedback and photos -----------------------------------------------


def can_moderate_feedback(user, feedback: Feedback) -> bool:
    """Teachers moderate feedback for their classes' pupils, admins for their school's."""
    return pupils_staffed_by(user).filter(pk=feedback.pupil_id).exists()


def feedback_to_moderate_or_404(user, feedback_id) -> Feedback:
    """Feedback on a pupil the user sees as staff, with its activity; else 404."""
    feedback = (
        Feedback.objects.filter(pk=feedback_id, pupil__in=pupils_staffed_by(user).values("pk"))
        .select_related("activity")
        .first()
    )
    if feedback is None:
        refuse("No such feedback.")
    return feedback


def can_undo_completion(user, completion: Completion) -> bool:
    """Only the parent who marked work done takes it back, for a child still on roll
    (when is the service's rule: ``learning.services.completion_undo``)."""
    return (
        is_signed_in(user)
        and completion.completed_by_id == user.pk
        and children_of(user)
        .filter(pk=completion.pupil_id, removed_by_school_at__isnull=True)
        .exists()
    )


def can_remove_feedback(user, feedback: Feedback) -> bool:
    """A parent removes their own feedback, for a child they still see."""
    return (
        is_signed_in(user)
        and feedback.parent_id == user.pk
        and children_of(user).filter(pk=feedback.pupil_id).exists()
    )


def _photos_visible_to(user) -> QuerySet[Feedback]:
    """Photos the user may see: their own, for a child they still see; and those of
    pupils they see as staff (who moderate them, so a photo waiting for approval is
    theirs to see), except rejected ones. A removed photo is gone."""
    if not is_signed_in(user):
        return Feedback.objects.none()
    own = Q(parent=user, pupil__in=children_of(user).values("pk"))
    staff = Q(pupil__in=pupils_staffed_by(user).values("pk")) & ~Q(
        moderation_status=Feedback.Moderation.REJECTED
    )
    return Feedback.objects.filter(own | staff, removed_at__isnull=True).exclude(photo="")


def can_view_feedback_photo(user, feedback: Feedback) -> bool:
    return _photos_visible_to(user).filter(pk=feedback.pk).exists()


def feedback_photo_or_404(user, feedback_id) -> Feedback:
    """The feedback whose photo the user may see; anyone else, other parents
    included, gets a 404."""
    feedback = _photos_visible_to(user).filter(pk=feedback_id).first()
    if feedback is None:
        refuse("No such photo.")
    return feedback
