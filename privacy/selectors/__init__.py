"""Reads the privacy app makes: what the retention task has to do, and how it ran."""

from privacy.selectors.retention import (
    RetentionPlan,
    RetentionStatus,
    retention_plan,
    retention_status,
)

__all__ = ["RetentionPlan", "RetentionStatus", "retention_plan", "retention_status"]
