"""The breach register in the platform admin: at 1280 px the list shows every
deadline without scrolling, an overdue one in words; on a 360 px phone no page
of an incident scrolls sideways, long titles and contacts included."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from privacy.services import incident_record, incident_scope_set
from schools.models import Guardianship, Pupil
from tests.admin.platform_staff import platform_staff_member
from tests.browser.helpers import sign_in_staff
from tests.factories import GuardianshipFactory, SchoolClassFactory, confirmed_totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_WORD = "Supercalifragilisticexpialidocious-misdirected-export"


@pytest.fixture
def register():
    staff = platform_staff_member(first_name="Alex", last_name="Morgan")
    school_class = SchoolClassFactory(
        school__name="Meadowbank Community Primary School and Nursery", name="Kingfishers"
    )
    link = GuardianshipFactory(pupil__school=school_class.school, pupil__school_class=school_class)
    # The family joined long before the incident was found.
    long_ago = timezone.now() - timedelta(days=60)
    Guardianship.objects.filter(pk=link.pk).update(created_at=long_ago)
    Pupil.objects.filter(pk=link.pupil_id).update(created_at=long_ago)
    incident = incident_record(
        title=f"Class list emailed to the wrong school office: {LONG_WORD}",
        found_at=timezone.now() - timedelta(hours=30),
        description=f"An export was attached to the wrong email. {LONG_WORD}",
        data_categories=["pupil_identity", "guardianships"],
        notice_summary="A list of one class was emailed to another school office.",
        notice_actions="The other school deleted it the same day.",
        notice_contact="data-protection-officer.home-learning-portal@privacy.example.org",
        actor=staff,
    )
    incident_scope_set(incident=incident, kind="classes", classes=[school_class], actor=staff)
    base = f"/admin/privacy/incident/{incident.pk}"
    return {
        "staff": staff,
        "device": confirmed_totp_device(staff),
        "pages": [
            "/admin/privacy/incident/",
            "/admin/privacy/incident/add/",
            f"{base}/change/",
            f"{base}/edit/",
            f"{base}/scope/",
            f"{base}/report/",
            f"{base}/notify-schools/",
            f"{base}/notify-families/",
            f"{base}/retrospective/",
            f"{base}/close/",
        ],
    }


def test_the_register_shows_every_deadline_at_1280_px(new_context, register):
    page = new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in_staff(page, register["staff"], register["device"])

    page.goto("/admin/privacy/incident/")
    expect(page.get_by_role("heading", name="Breach register")).to_be_visible()
    expect(page.get_by_text("OVERDUE by 6 hours")).to_be_visible()
    results = page.locator("#changelist .results")
    assert results.evaluate("(element) => element.scrollWidth <= element.clientWidth")

    page.get_by_role("link", name="Class list emailed").click()
    expect(page.get_by_role("rowheader", name="Tell affected schools")).to_be_visible()
    page.get_by_role("link", name="Send the family notices…").click()
    expect(page.get_by_text("1 message will go to the 1 affected parent or carer")).to_be_visible()


def test_no_page_of_the_register_scrolls_sideways_on_a_phone(phone_page, register):
    sign_in_staff(phone_page, register["staff"], register["device"])
    too_wide = {}
    for path in register["pages"]:
        response = phone_page.goto(path)
        assert response.status == 200, path
        width = phone_page.evaluate("document.scrollingElement.scrollWidth")
        if width > 360:
            too_wide[path] = width
    assert too_wide == {}
