"""Who may see what: the one checkpoint every view and selector asks, before
anything else is loaded.

Default deny. An object of another school, or one the user may not see, is a 404
(never a 403 that confirms it exists). The rules live in one module per domain:

- roles: who the user is (signed in, parent, teacher or admin where);
- pupils: pupils and classes;
- learning: topics, work set, families' feedback and photos;
- engagement: dashboards, nudges and the platform's engagement totals;
- invitations: a school's invitations;
- privacy_requests: the queue of privacy requests (school admins, platform staff);
- incidents: the breach register (platform staff);
- schools: a school's settings;
- exports: exporting a school's or a pupil's data;
- staff: a school's staff;
- closing: closing one's own account, restoring a closed one;
- engagement: engagement reports (whole school or a teacher's classes);
- navigation: the areas a user's roles open;
- refusals: how a refusal is raised, so it can be recorded."""

from accounts.access.closing import (
    can_close_own_account,
    can_restore_closed_accounts,
)
from accounts.access.engagement import (
    ReportScope,
    can_view_engagement_overview,
    engagement_class_or_404,
    engagement_classes_of,
    engagement_report_scope_or_404,
    engagement_school_or_404,
    nudge_assignment_or_404,
    nudge_pupils_of,
)
from accounts.access.exports import (
    can_export_school_data,
    pupil_for_export_or_refuse,
    school_for_export_or_refuse,
)
from accounts.access.incidents import (
    can_manage_incidents,
    can_record_incident,
    can_view_incidents,
)
from accounts.access.invitations import (
    administered_invitation_or_404,
)
from accounts.access.learning import (
    assignment_or_404,
    assignments_managed_by,
    can_author_topics,
    can_edit_topic,
    can_moderate_feedback,
    can_remove_feedback,
    can_undo_completion,
    can_view_feedback_photo,
    child_activity_or_404,
    feedback_photo_or_404,
    feedback_to_moderate_or_404,
    topic_editable_or_404,
    topic_for_staff_or_404,
    topic_or_404,
    topics_assignable_by,
    topics_editable_by,
    topics_for_school_staff,
    topics_visible_to,
)
from accounts.access.navigation import (
    NavLink,
    navigation_for,
)
from accounts.access.privacy_requests import (
    can_handle_platform_privacy_requests,
    can_view_platform_privacy_requests,
    privacy_request_of_school_or_404,
    privacy_request_parents_of,
    privacy_request_pupils_of,
    privacy_requests_school_or_404,
)
from accounts.access.pupils import (
    can_manage_pupil,
    can_record_for_child,
    can_see_parent_contacts,
    can_see_pupil_premium,
    can_view_pupil,
    child_of_parent_or_404,
    children_of,
    class_of_school_or_404,
    class_or_404,
    classes_assignable_by,
    classes_taught_by,
    classes_visible_to,
    guardianship_of_pupil_or_404,
    pupil_of_school_for_staff_or_404,
    pupil_or_404,
    pupils_of_school_for_admin,
    pupils_staffed_by,
    pupils_taught_by,
    pupils_visible_to,
)
from accounts.access.refusals import (
    NotAllowed,
    NotVisible,
    forbid,
    refuse,
)
from accounts.access.roles import (
    administered_school_or_404,
    can_erase_own_account,
    is_parent,
    is_school_admin,
    is_school_staff,
    is_signed_in,
    require_school_staff,
    requires_two_factor,
    school_staff_or_404,
    schools_administered_by,
    schools_staffed_by,
    schools_teaching,
)
from accounts.access.schools import (
    can_offboard_school,
    school_settings_or_refuse,
)
from accounts.access.staff import (
    staff_member_of_school_or_404,
    staff_of_school,
)

__all__ = [
    "NavLink",
    "NotAllowed",
    "NotVisible",
    "ReportScope",
    "administered_invitation_or_404",
    "administered_school_or_404",
    "assignment_or_404",
    "assignments_managed_by",
    "can_author_topics",
    "can_close_own_account",
    "can_edit_topic",
    "can_erase_own_account",
    "can_export_school_data",
    "can_handle_platform_privacy_requests",
    "can_manage_incidents",
    "can_manage_pupil",
    "can_moderate_feedback",
    "can_offboard_school",
    "can_record_for_child",
    "can_record_incident",
    "can_remove_feedback",
    "can_restore_closed_accounts",
    "can_see_parent_contacts",
    "can_see_pupil_premium",
    "can_undo_completion",
    "can_view_engagement_overview",
    "can_view_feedback_photo",
    "can_view_incidents",
    "can_view_platform_privacy_requests",
    "can_view_pupil",
    "child_activity_or_404",
    "child_of_parent_or_404",
    "children_of",
    "class_of_school_or_404",
    "class_or_404",
    "classes_assignable_by",
    "classes_taught_by",
    "classes_visible_to",
    "engagement_class_or_404",
    "engagement_classes_of",
    "engagement_report_scope_or_404",
    "engagement_school_or_404",
    "feedback_photo_or_404",
    "feedback_to_moderate_or_404",
    "forbid",
    "guardianship_of_pupil_or_404",
    "is_parent",
    "is_school_admin",
    "is_school_staff",
    "is_signed_in",
    "navigation_for",
    "nudge_assignment_or_404",
    "nudge_pupils_of",
    "privacy_request_of_school_or_404",
    "privacy_request_parents_of",
    "privacy_request_pupils_of",
    "privacy_requests_school_or_404",
    "pupil_for_export_or_refuse",
    "pupil_of_school_for_staff_or_404",
    "pupil_or_404",
    "pupils_of_school_for_admin",
    "pupils_staffed_by",
    "pupils_taught_by",
    "pupils_visible_to",
    "refuse",
    "require_school_staff",
    "requires_two_factor",
    "school_for_export_or_refuse",
    "school_settings_or_refuse",
    "school_staff_or_404",
    "schools_administered_by",
    "schools_staffed_by",
    "schools_teaching",
    "staff_member_of_school_or_404",
    "staff_of_school",
    "topic_editable_or_404",
    "topic_for_staff_or_404",
    "topic_or_404",
    "topics_assignable_by",
    "topics_editable_by",
    "topics_for_school_staff",
    "topics_visible_to",
]
