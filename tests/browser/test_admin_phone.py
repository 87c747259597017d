"""The platform admin on a 360 px phone: platform staff sign in (second factor
included) and no page they use scrolls sideways, with long unbreakable values
(hashes, keys, addresses) on them."""

import hashlib

import pytest
from playwright.sync_api import expect

from audit.models import SecurityEvent
from notifications.models import Message
from tests.admin.platform_staff import platform_staff_member
from tests.browser.helpers import sign_in_staff
from tests.factories import ActivityFactory, SchoolFactory, TopicFactory, confirmed_totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "https://www.youtube.com/watch?v=" + "averylongvideoidentifier" * 3


@pytest.fixture
def admin_world():
    staff = platform_staff_member(first_name="Alex", last_name="Morgan")
    school = SchoolFactory(name="Meadowbank Community Primary School and Nursery")
    topic = TopicFactory(title="Minibeasts in the garden: " + "bughunting" * 6)
    ActivityFactory(topic=topic, kind="video", video_url=LONG)
    event = SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.SIGN_IN_FAILED,
        email_hash=hashlib.sha256(b"someone").hexdigest(),
        user_agent="Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36",
        details={"path": "/accounts/login/?next=" + "averylongpath" * 8},
    )
    message = Message.objects.create(
        to_address="someone@example.org",
        channel=Message.Channel.EMAIL,
        template="invitation",
        subject="-",
        body_text="-",
        idempotency_key="invitation:" + hashlib.sha256(b"token").hexdigest() + ":email",
        provider_id=hashlib.sha1(b"provider").hexdigest(),  # noqa: S324 (an id, not a secret)
        last_error="SMTPRecipientsRefused:" + "mailboxunavailable" * 5,
    )
    return {
        "staff": staff,
        "device": confirmed_totp_device(staff),
        "pages": [
            "/admin/",
            "/admin/learning/",
            "/admin/learning/topic/",
            f"/admin/learning/topic/{topic.pk}/change/",
            "/admin/learning/topic/add/",
            "/admin/consent/privacynotice/",
            "/admin/consent/privacynotice/add/",
            "/admin/schools/school/",
            "/admin/schools/school/add/",
            f"/admin/schools/school/{school.pk}/change/",
            f"/admin/schools/school/{school.pk}/delete/",
            "/admin/notifications/message/",
            f"/admin/notifications/message/{message.pk}/change/",
            "/admin/audit/auditentry/",
            "/admin/audit/securityevent/",
            f"/admin/audit/securityevent/{event.pk}/change/",
        ],
    }


def test_no_admin_page_platform_staff_use_scrolls_sideways_on_a_phone(phone_page, admin_world):
    sign_in_staff(phone_page, admin_world["staff"], admin_world["device"])

    phone_page.goto("/admin/")
    expect(phone_page.get_by_role("link", name="Topics")).to_be_visible()
    too_wide = {}
    for path in admin_world["pages"]:
        response = phone_page.goto(path)
        assert response.status == 200, path
        width = phone_page.evaluate("document.scrollingElement.scrollWidth")
        if width > 360:
            too_wide[path] = width
    assert too_wide == {}
