"""Reads of the engagement record: who is reached and active, and the reports."""

from engagement.selectors.families import (
    Period,
    active_expression,
    completions_expression,
    family_counts,
    local_midnight,
    parent_events,
    pupils_in_scope,
    pupils_on_roll_at,
    reached_expression,
    reaching_guardianships,
    school_timezone,
    weekly_active_counts,
)

__all__ = [
    "Period",
    "active_expression",
    "completions_expression",
    "family_counts",
    "local_midnight",
    "parent_events",
    "pupils_in_scope",
    "pupils_on_roll_at",
    "reached_expression",
    "reaching_guardianships",
    "school_timezone",
    "weekly_active_counts",
]
