from django import template

from learning.formatting import render_instructions

register = template.Library()


@register.filter
def instructions(source: str):
    """Render activity instructions written in the formatting language (escaped)."""
    return render_instructions(source)
