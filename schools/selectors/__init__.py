"""Reads of school data, one module per noun: the people and classes staff and
parents see (``people``), who a data incident reaches (``reach``), which pupils no one
holds any more (``leavers``) and what offboarding a school would do
(``offboarding``)."""

from schools.selectors.leavers import pupils_both_removed
from schools.selectors.offboarding import (
    OffboardingPreview,
    OffboardingStaff,
    offboarding_preview,
    offboarding_staff,
)
from schools.selectors.people import (
    ParentLink,
    SchoolTotals,
    StaffMember,
    children_for_parent,
    classes_for_admin,
    classes_for_teacher,
    classes_taught_at,
    classes_with_pupils_on_roll,
    parents_of_pupil,
    pupils_for_admin,
    pupils_of_class,
    roster_import_of_school_or_404,
    roster_imports_recent,
    school_totals,
    schools_for_help,
    staff_for_admin,
    staff_member_roles,
    teachers_of_school,
)
from schools.selectors.reach import (
    Reach,
    classes_by_school,
    reach_of_accounts,
    reach_of_classes,
    reach_of_nobody,
    reach_of_schools,
    schools_by_name,
)

__all__ = [
    "OffboardingPreview",
    "OffboardingStaff",
    "ParentLink",
    "Reach",
    "SchoolTotals",
    "StaffMember",
    "children_for_parent",
    "classes_by_school",
    "classes_for_admin",
    "classes_for_teacher",
    "classes_taught_at",
    "classes_with_pupils_on_roll",
    "offboarding_preview",
    "offboarding_staff",
    "parents_of_pupil",
    "pupils_both_removed",
    "pupils_for_admin",
    "pupils_of_class",
    "reach_of_accounts",
    "reach_of_classes",
    "reach_of_nobody",
    "reach_of_schools",
    "roster_import_of_school_or_404",
    "roster_imports_recent",
    "school_totals",
    "schools_by_name",
    "schools_for_help",
    "staff_for_admin",
    "staff_member_roles",
    "teachers_of_school",
]
