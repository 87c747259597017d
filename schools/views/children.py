"""A parent's home: their children, each with what is set for them now."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from learning import selectors as learning_selectors

PUPILS_PER_PAGE = 50


def parent_home(request: HttpRequest) -> HttpResponse:
    """Each child, with what is set for them now; each leads to the child's space."""
    children = learning_selectors.children_with_work_now(parent=request.user)
    return render(request, "schools/parent_home.html", {"children": children})
