"""Pages that differ only by filter or page number say so in their title (WCAG 2.4.2):
"Pupils — matching “Ann”, page 2 of 3 · Oakfield Primary", not "Pupils" for all."""

import re
from html import unescape

import pytest
from django.urls import reverse

from invitations.services import invitations_create
from learning.models import Subject
from privacy.models import PrivacyRequest
from privacy.services import privacy_request_close, privacy_request_open
from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    TopicFactory,
    teacher_of,
)
from tests.invitations.test_invitations import imported_parent

pytestmark = pytest.mark.django_db


def title(response) -> str:
    assert response.status_code == 200
    found = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    return " ".join(unescape(found.group(1)).split())


def test_the_pupils_list_names_the_search_and_the_page(school_admin_client, school, monkeypatch):
    monkeypatch.setattr("schools.views.school.PUPILS_PER_PAGE", 2)
    for number in range(5):
        PupilFactory(school=school, first_name="Annabel", last_name=f"Hill{number}")
    PupilFactory(school=school, first_name="Zeb")
    url = reverse("schools:school_pupils", args=[school.pk])

    assert title(school_admin_client.get(url)) == (
        "Pupils — page 1 of 3 · Oakfield Primary · Home Learning Portal"
    )
    assert title(school_admin_client.get(url, {"q": "Annabel", "page": 2})) == (
        "Pupils — matching “Annabel”, page 2 of 3 · Oakfield Primary · Home Learning Portal"
    )
    assert title(school_admin_client.get(url, {"q": "Zeb"})) == (
        "Pupils — matching “Zeb” · Oakfield Primary · Home Learning Portal"
    )


def test_the_invitation_tracker_names_the_status_shown(school_admin_client, school, admin):
    pupil = PupilFactory(school=school)
    GuardianshipFactory(parent=imported_parent(), pupil=pupil, confirmed_at=None)
    invitations_create(school=school, pupils=[pupil], channels="email", actor=admin)
    url = reverse("invitations:list", args=[school.pk])

    assert title(school_admin_client.get(url)).startswith("Invitations · Oakfield Primary")
    assert title(school_admin_client.get(url, {"status": "accepted"})).startswith(
        "Invitations — Status: Accepted · Oakfield Primary"
    )


def test_the_audit_log_names_its_filters(school_admin_client, school, admin):
    url = reverse("audit:school_log", args=[school.pk])
    shown = title(
        school_admin_client.get(
            url, {"person": admin.pk, "date_from": "2026-03-01", "date_to": "2026-03-31"}
        )
    )
    assert shown.startswith(
        "Audit log — Person: Ada Head, From: 1 Mar 2026, To (included): 31 Mar 2026 · "
    ), shown
    # A part of the filter the page could not use is left out of the title, as of the list.
    shown = title(school_admin_client.get(url, {"date_from": "not a date"}))
    assert shown.startswith("Error: Audit log · Oakfield Primary"), shown


def test_privacy_requests_name_the_state_shown(school_admin_client, school, admin):
    pupil = PupilFactory(school=school)
    done = privacy_request_open(
        kind=PrivacyRequest.Kind.ACCESS, actor=admin, subject_pupil=pupil, school=school
    )
    privacy_request_close(privacy_request=done, actor=admin, outcome="Sent a copy.")
    url = reverse("privacy:school_requests", args=[school.pk])

    assert title(school_admin_client.get(url)).startswith("Privacy requests — open · ")
    assert title(school_admin_client.get(url, {"state": "closed"})).startswith(
        "Privacy requests — closed · "
    )


def test_topics_name_the_filters_and_the_page(staff_client, school, monkeypatch):
    monkeypatch.setattr("learning.views.topics.TOPICS_PER_PAGE", 1)
    teacher = teacher_of(SchoolClassFactory(school=school))
    TopicFactory(subject=Subject.MATHS)
    TopicFactory(subject=Subject.MATHS)
    client = staff_client(teacher)
    url = reverse("learning:topic_list")

    assert title(client.get(url, {"subject": Subject.MATHS, "page": 2})) == (
        f"Topics — Subject: {Subject.MATHS.label}, page 2 of 2 · Home Learning Portal"
    )
