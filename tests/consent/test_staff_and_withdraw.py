"""Consents that only concern parents are not offered to staff; withdrawing the
platform consent is confirmed first, on a page that works without JavaScript."""

import pytest
from django.urls import reverse

from consent.models import ConsentRecord, Purpose
from consent.selectors import consent_current
from consent.wording import WITHDRAW_EFFECT
from tests.consent.notices import published_notice, registered_parent
from tests.factories import GuardianshipFactory, SchoolClassFactory, teacher_of

pytestmark = pytest.mark.django_db

CHANGE = "consent:privacy_consent_change"


def test_staff_are_not_offered_the_promotion_photos_consent(staff_client):
    client = staff_client(teacher_of(SchoolClassFactory()))

    page = client.get(reverse("consent:privacy_consents")).content.decode()

    assert "Photos and comments for promotion" not in page
    assert Purpose.MEDIA_PROMOTION.value not in page
    assert "optional choices for your staff account" in page


def test_staff_cannot_give_it_by_posting_either(staff_client):
    teacher = teacher_of(SchoolClassFactory())
    client = staff_client(teacher)

    client.post(reverse(CHANGE), {"purpose": Purpose.MEDIA_PROMOTION, "action": "grant"})

    assert not ConsentRecord.objects.filter(user=teacher).exists()


def test_a_teacher_who_is_also_a_parent_is_offered_it(staff_client):
    teacher = teacher_of(SchoolClassFactory())
    GuardianshipFactory(parent=teacher)

    page = staff_client(teacher).get(reverse("consent:privacy_consents")).content.decode()

    assert Purpose.MEDIA_PROMOTION.value in page


def test_withdrawing_the_platform_consent_asks_first_and_says_what_happens(client):
    published_notice(version="1.0")
    parent = registered_parent()
    client.force_login(parent)

    page = client.post(reverse(CHANGE), {"purpose": Purpose.PLATFORM, "action": "withdraw"})

    html = page.content.decode()
    assert page.status_code == 200
    assert "Withdraw your consent to the portal using your account?" in html
    assert WITHDRAW_EFFECT[Purpose.PLATFORM].split(":")[0] in html
    assert 'class="button-danger"' in html
    assert 'name="confirmed" value="on"' in html
    assert "<script" not in html.split("<main")[1].split("</main>")[0]
    assert consent_current(user=parent, purpose=Purpose.PLATFORM) is True

    client.post(
        reverse(CHANGE), {"purpose": Purpose.PLATFORM, "action": "withdraw", "confirmed": "on"}
    )

    assert consent_current(user=parent, purpose=Purpose.PLATFORM) is False


def test_other_consents_are_still_withdrawn_in_one_click(client):
    published_notice(version="1.0")
    parent = registered_parent()
    client.force_login(parent)
    client.post(reverse(CHANGE), {"purpose": Purpose.MARKETING_EMAIL, "action": "grant"})

    client.post(reverse(CHANGE), {"purpose": Purpose.MARKETING_EMAIL, "action": "withdraw"})

    assert consent_current(user=parent, purpose=Purpose.MARKETING_EMAIL) is False


def test_the_danger_button_looks_different_from_the_main_one():
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static/css/portal.css").read_text()
    assert ".button-danger { background: var(--error)" in css
