"""Who teaches each class: a school admin sets a class's teachers."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from accounts.models import Membership, User
from audit.services import audit_record
from schools.models import SchoolClass


class ClassTeachersError(Exception):
    pass


@transaction.atomic
def class_teachers_set(*, school_class: SchoolClass, teachers: Iterable[User], actor: User) -> None:
    """Make exactly these teachers (all teachers at the class's school) teach the class."""
    teachers = list(teachers)
    teacher_ids = {teacher.pk for teacher in teachers}
    allowed = set(
        Membership.objects.filter(
            school_id=school_class.school_id,
            role=Membership.Role.TEACHER,
            user_id__in=teacher_ids,
        ).values_list("user_id", flat=True)
    )
    if allowed != teacher_ids:
        raise ClassTeachersError("Only teachers at this school can teach its classes.")
    before = sorted(school_class.teachers.values_list("pk", flat=True))
    school_class.teachers.set(teachers)
    audit_record(
        actor=actor,
        action="class.teachers_set",
        subject=school_class,
        changes={"teachers": [before, sorted(teacher_ids)]},
    )
