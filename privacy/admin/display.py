"""How the breach register shows deadlines, dates and counts."""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html


def count_words(number: int, singular: str, plural: str = "") -> str:
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"


def when(value, *, year: bool = True) -> str:
    return date_format(timezone.localtime(value), "j M Y, H:i" if year else "j M, H:i")


def deadline_cell(deadline, now):
    """A deadline's state and when it is due; an overdue one in strong words."""
    due = f"due {when(deadline.due_at, year=False)}"
    if deadline.is_overdue(now):
        return format_html(
            '<strong class="deadline-overdue">{}</strong><br><span class="help">{}</span>',
            deadline.status(now),
            due,
        )
    return format_html('{}<br><span class="help">{}</span>', deadline.status(now), due)
