"""Engagement pages."""

from engagement.views.report import pp_report

__all__ = ["pp_report"]
