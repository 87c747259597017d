"""Every read the privacy app makes that depends on what is asked, one module per noun."""

from privacy.selectors.incidents import (
    Affected,
    AffectedCounts,
    FamilyNoticeCounts,
    SchoolNoticeCounts,
    incident_affected,
    incident_affected_counts,
    incident_affected_schools_page,
    incident_counts_by_school,
    incident_family_notice_counts,
    incident_school_notice_counts,
    incident_school_notice_recipients,
    incidents_for_register,
    notice_reference,
)

__all__ = [
    "Affected",
    "AffectedCounts",
    "FamilyNoticeCounts",
    "SchoolNoticeCounts",
    "incident_affected",
    "incident_affected_counts",
    "incident_affected_schools_page",
    "incident_counts_by_school",
    "incident_family_notice_counts",
    "incident_school_notice_counts",
    "incident_school_notice_recipients",
    "incidents_for_register",
    "notice_reference",
]
