"""Engagement pages and the tracking endpoints of parents' pages."""

from engagement.views.tracking import (
    game_open,
    video_started,
)

__all__ = [
    "game_open",
    "video_started",
]
