"""Who may see what: the one checkpoint every view and selector asks.

Default deny. The rules (DESIGN §5):

- a parent sees only their own children: guardianships they have confirmed
  (accepted) and that have not ended; a pupil removed by the school stays
  visible to the parent;
- a teacher sees pupils on roll in the classes they teach, at a school where
  they are a teacher;
- a school admin sees everything at their school;
- an individual pupil's Pupil Premium status is for school admins only;
- platform staff see no pupil data (support grants come later);
- an object of another school is a 404, never a 403.

Topics (learning): library topics, once published, are open to every school's
staff and never editable by them; a school's own topics are seen and edited by
that school's teachers and admins only; platform staff see the library; a parent
sees a topic once it has started for one of their children's classes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.models import Membership, User
from invitations.models import Invitation

if TYPE_CHECKING:
    from learning.models import Topic
    from schools.models import Pupil, School, SchoolClass


def _is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def requires_two_factor(user) -> bool:
    """Every staff account (school admin, teacher, platform staff) needs a second factor."""
    if not _is_signed_in(user):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user.memberships.exists()


def schools_administered_by(user) -> QuerySet[School]:
    from schools.models import School

    if not _is_signed_in(user):
        return School.objects.none()
    return School.objects.filter(memberships__user=user, memberships__role=Membership.Role.ADMIN)


def schools_teaching(user) -> QuerySet[School]:
    from schools.models import School

    if not _is_signed_in(user):
        return School.objects.none()
    return School.objects.filter(memberships__user=user, memberships__role=Membership.Role.TEACHER)


def is_school_admin(user, school: School) -> bool:
    if not _is_signed_in(user):
        return False
    return Membership.objects.filter(user=user, school=school, role=Membership.Role.ADMIN).exists()


def administered_school_or_404(user, school_id) -> School:
    """The school with this id, if the user is one of its admins; otherwise 404."""
    school = schools_administered_by(user).filter(pk=school_id).first()
    if school is None:
        raise Http404("No such school.")
    return school


def is_parent(user) -> bool:
    if not _is_signed_in(user):
        return False
    return user.guardianships.filter(confirmed_at__isnull=False, ended_at__isnull=True).exists()


def _teacher_condition(user) -> Q:
    teaches_here = Membership.objects.filter(
        user=user, school=OuterRef("school_id"), role=Membership.Role.TEACHER
    )
    return Q(
        Exists(teaches_here),
        school_class__teachers=user,
        removed_by_school_at__isnull=True,
    )


def _parent_condition(user) -> Q:
    return Q(
        guardianships__parent=user,
        guardianships__confirmed_at__isnull=False,
        guardianships__ended_at__isnull=True,
    )


def _admin_condition(user) -> Q:
    return Q(school__in=schools_administered_by(user).values("pk"))


def pupils_visible_to(user) -> QuerySet[Pupil]:
    """Every pupil this user may see, under any of their roles."""
    from schools.models import Pupil

    if not _is_signed_in(user):
        return Pupil.objects.none()
    condition = _parent_condition(user) | _teacher_condition(user) | _admin_condition(user)
    visible_ids = Pupil.objects.filter(condition).values("pk")
    return Pupil.objects.filter(pk__in=visible_ids, anonymised_at__isnull=True)


def children_of(user) -> QuerySet[Pupil]:
    """The parent's own children (removed-by-school included)."""
    from schools.models import Pupil

    if not _is_signed_in(user):
        return Pupil.objects.none()
    child_ids = Pupil.objects.filter(_parent_condition(user)).values("pk")
    return Pupil.objects.filter(pk__in=child_ids, anonymised_at__isnull=True)


def pupils_taught_by(user) -> QuerySet[Pupil]:
    from schools.models import Pupil

    if not _is_signed_in(user):
        return Pupil.objects.none()
    taught_ids = Pupil.objects.filter(_teacher_condition(user)).values("pk")
    return Pupil.objects.filter(pk__in=taught_ids, anonymised_at__isnull=True)


def pupils_of_school_for_admin(user, school: School) -> QuerySet[Pupil]:
    from schools.models import Pupil

    if not is_school_admin(user, school):
        return Pupil.objects.none()
    return Pupil.objects.filter(school=school, anonymised_at__isnull=True)


def can_view_pupil(user, pupil: Pupil) -> bool:
    return pupils_visible_to(user).filter(pk=pupil.pk).exists()


def pupil_or_404(user, pupil_id) -> Pupil:
    pupil = pupils_visible_to(user).filter(pk=pupil_id).first()
    if pupil is None:
        raise Http404("No such pupil.")
    return pupil


def classes_taught_by(user) -> QuerySet[SchoolClass]:
    """Classes the user teaches, at schools where they are a teacher."""
    from schools.models import SchoolClass

    if not _is_signed_in(user):
        return SchoolClass.objects.none()
    teaches_here = Membership.objects.filter(
        user=user, school=OuterRef("school_id"), role=Membership.Role.TEACHER
    )
    return SchoolClass.objects.filter(Exists(teaches_here), teachers=user)


def classes_visible_to(user) -> QuerySet[SchoolClass]:
    from schools.models import SchoolClass

    if not _is_signed_in(user):
        return SchoolClass.objects.none()
    taught = classes_taught_by(user).values("pk")
    return SchoolClass.objects.filter(
        Q(pk__in=taught) | Q(school__in=schools_administered_by(user).values("pk"))
    )


def class_or_404(user, class_id) -> SchoolClass:
    school_class = classes_visible_to(user).select_related("school").filter(pk=class_id).first()
    if school_class is None:
        raise Http404("No such class.")
    return school_class


def can_see_pupil_premium(user, school: School) -> bool:
    """Individual Pupil Premium status: school admins of that school only."""
    return is_school_admin(user, school)


def staff_of_school(user, school: School) -> QuerySet[User]:
    """The staff list of a school, for that school's admins only."""
    if not is_school_admin(user, school):
        return User.objects.none()
    return User.objects.filter(memberships__school=school)


def administered_invitation_or_404(user, school: School, invitation_id) -> Invitation:
    """An invitation of ``school``, if the user is one of that school's admins; otherwise 404."""
    invitation = (
        Invitation.objects.filter(
            pk=invitation_id,
            school=school,
            school__in=schools_administered_by(user).values("pk"),
        )
        .select_related("school")
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


# --- Topics and activities (learning) -------------------------------------------


def schools_staffed_by(user) -> QuerySet[School]:
    """Schools where the user is a teacher or an admin."""
    from schools.models import School

    if not _is_signed_in(user):
        return School.objects.none()
    return School.objects.filter(memberships__user=user).distinct()


def can_author_topics(user) -> bool:
    """Teachers and school admins write their school's topics and browse the library."""
    return _is_signed_in(user) and user.memberships.exists()


def topics_visible_to(user) -> QuerySet[Topic]:
    """Every topic this user may read, under any of their roles."""
    from django.utils import timezone

    from learning.models import Topic

    if not _is_signed_in(user):
        return Topic.objects.none()
    started_for_children = Topic.objects.filter(
        assignments__school_class__pupils__in=children_of(user).values("pk"),
        assignments__starts_on__lte=timezone.localdate(),
    ).values("pk")
    is_school_staff = Exists(Membership.objects.filter(user=user))
    condition = (
        Q(pk__in=started_for_children)
        | Q(is_school_staff, school__isnull=True, published=True)
        | Q(school__in=schools_staffed_by(user).values("pk"))
    )
    if user.is_staff:
        condition |= Q(school__isnull=True)
    return Topic.objects.filter(condition)


def topics_editable_by(user) -> QuerySet[Topic]:
    """A school's own topics, for that school's teachers and admins. Never the library."""
    from learning.models import Topic

    if not _is_signed_in(user):
        return Topic.objects.none()
    return Topic.objects.filter(school__in=schools_staffed_by(user).values("pk"))


def can_edit_topic(user, topic: Topic) -> bool:
    return topic.school_id is not None and topics_editable_by(user).filter(pk=topic.pk).exists()


def topic_or_404(user, topic_id) -> Topic:
    topic = topics_visible_to(user).select_related("school").filter(pk=topic_id).first()
    if topic is None:
        raise Http404("No such topic.")
    return topic


def topic_editable_or_404(user, topic_id) -> Topic:
    """A topic the user may edit. A library topic, or another school's, is a 404 here."""
    topic = topics_editable_by(user).select_related("school").filter(pk=topic_id).first()
    if topic is None:
        raise Http404("No such topic.")
    return topic


# --- The child's space, families' feedback and photos (learning) -----------------
#
# A parent records completions and feedback for their own children while the
# school still has the child on roll, and keeps seeing what they recorded after
# the school removes the child. Staff see a pupil's feedback as they see the
# pupil: teachers for the classes they teach, admins for their school. A photo is
# seen by the parent who shared it and by those staff; never by another parent.


def child_of_parent_or_404(user, pupil_id) -> Pupil:
    """One of the user's own children (removed by the school or not); otherwise 404."""
    child = children_of(user).select_related("school", "school_class").filter(pk=pupil_id).first()
    if child is None:
        raise Http404("No such child.")
    return child


def can_record_for_child(user, pupil: Pupil) -> bool:
    """May the user mark work done and give feedback for this child? Their own child, on roll."""
    return children_of(user).filter(pk=pupil.pk, removed_by_school_at__isnull=True).exists()


def pupils_staffed_by(user) -> QuerySet[Pupil]:
    """Pupils the user sees as a member of staff (not as a parent): a teacher's
    pupils on roll in their classes, an admin's school's pupils."""
    from schools.models import Pupil

    if not _is_signed_in(user):
        return Pupil.objects.none()
    staffed_ids = Pupil.objects.filter(_teacher_condition(user) | _admin_condition(user))
    return Pupil.objects.filter(pk__in=staffed_ids.values("pk"), anonymised_at__isnull=True)


def can_moderate_feedback(user, feedback) -> bool:
    """Teachers moderate feedback for their classes' pupils, admins for their school's."""
    return pupils_staffed_by(user).filter(pk=feedback.pupil_id).exists()


def can_remove_feedback(user, feedback) -> bool:
    """A parent removes their own feedback, for a child they still see."""
    return (
        _is_signed_in(user)
        and feedback.parent_id == user.pk
        and children_of(user).filter(pk=feedback.pupil_id).exists()
    )


def can_view_feedback_photo(user, feedback) -> bool:
    """The parent who shared the photo, and the pupil's teachers and school admins
    (who moderate it, so a photo waiting for approval is theirs to see). A removed
    or rejected photo is gone; anyone else, other parents included, is refused."""
    if not _is_signed_in(user) or not feedback.photo or feedback.removed_at is not None:
        return False
    if feedback.parent_id == user.pk:
        return children_of(user).filter(pk=feedback.pupil_id).exists()
    from learning.models import Feedback

    if feedback.moderation_status == Feedback.Moderation.REJECTED:
        return False
    return pupils_staffed_by(user).filter(pk=feedback.pupil_id).exists()


# --- Setting work (learning assignments) ----------------------------------------


def classes_assignable_by(user) -> QuerySet[SchoolClass]:
    """Classes the user may set work for: a teacher their own classes (at a school
    where they teach), a school admin every class of their school."""
    return classes_visible_to(user)


def topics_assignable_by(user) -> QuerySet:
    """Topics the user may set for a class: the published library and their
    schools' own published topics. A draft is never set."""
    from learning.models import Topic

    if not _is_signed_in(user) or not user.memberships.exists():
        return Topic.objects.none()
    return Topic.objects.filter(
        Q(school__isnull=True) | Q(school__in=schools_staffed_by(user).values("pk")),
        published=True,
    )


def assignments_managed_by(user) -> QuerySet:
    """Work set for the classes the user teaches, and for every class of the
    schools they administer (``learning.models.Assignment``)."""
    from learning.models import Assignment

    if not _is_signed_in(user):
        return Assignment.objects.none()
    return Assignment.objects.filter(school_class__in=classes_visible_to(user).values("pk"))


def assignment_or_404(user, assignment_id):
    """An assignment the user manages, with its topic, class and school; else 404."""
    assignment = (
        assignments_managed_by(user)
        .select_related("topic", "school_class__school")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        raise Http404("No such assignment.")
    return assignment
