"""Every read the privacy app makes that depends on what is asked, one module per noun."""

from privacy.selectors.incidents import (
    EMAIL,
    SMS,
    AffectedCounts,
    FamilyNoticeCounts,
    SchoolNoticeCounts,
    incident_affected,
    incident_affected_counts,
    incident_affected_schools_page,
    incident_family_notice_counts,
    incident_school_notice_counts,
    incident_school_notice_recipients,
    incidents_for_register,
    incidents_overdue,
    notice_reference,
)

__all__ = [
    "EMAIL",
    "SMS",
    "AffectedCounts",
    "FamilyNoticeCounts",
    "SchoolNoticeCounts",
    "incident_affected",
    "incident_affected_counts",
    "incident_affected_schools_page",
    "incident_family_notice_counts",
    "incident_school_notice_counts",
    "incident_school_notice_recipients",
    "incidents_for_register",
    "incidents_overdue",
    "notice_reference",
]
