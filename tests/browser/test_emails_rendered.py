"""Each email as a parent sees it: its HTML part opened in Chromium at phone and
desktop width, with no sideways scrolling, its button and written-out link going
to the portal, and nothing axe-core objects to.

The screenshots are written for a person to look at: to EMAIL_SCREENSHOT_DIR if
set, else var/email-screenshots/ (ignored by git); the folder is printed.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible
from tests.notifications.email_samples import SCHOOL, allauth_samples, template_samples

pytestmark = pytest.mark.django_db

SITE = "https://portal.example.org"
WIDTHS = {"phone": 360, "desktop": 1280}


@pytest.fixture(scope="module")
def screenshot_dir() -> Path:
    folder = Path(
        os.environ.get("EMAIL_SCREENSHOT_DIR")
        or Path(django_settings.BASE_DIR) / "var" / "email-screenshots"
    )
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nEmail screenshots: {folder}")
    return folder


def test_every_email_reads_well_at_phone_and_desktop_width(browser, settings, screenshot_dir):
    settings.SITE_URL = SITE
    samples = template_samples() + allauth_samples()
    assert len(samples) >= 20
    written = []
    for size, width in WIDTHS.items():
        context = browser.new_context(
            viewport={"width": width, "height": 800},
            is_mobile=size == "phone",
            has_touch=size == "phone",
            java_script_enabled=True,
        )
        # An email loads nothing: any request at all would be from another host.
        requests = []
        context.on("request", lambda request, seen=requests: seen.append(request.url))
        page = context.new_page()
        try:
            for sample in samples:
                page.set_content(sample.body_html, wait_until="load")
                where = f"{sample.name} at {width}px"
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{where} scrolls sideways by {overflow}px"
                buttons = page.locator("td[bgcolor] > a")
                hrefs = [buttons.nth(i).get_attribute("href") for i in range(buttons.count())]
                assert hrefs == sample.action_urls, where
                for href in hrefs:
                    assert href.startswith(SITE), where
                    written_out = page.locator("a", has_text=href).last
                    assert written_out.get_attribute("href") == href, where
                    assert written_out.inner_text().startswith(SITE), where
                    assert written_out.is_visible(), where
                if hrefs:
                    box = buttons.first.bounding_box()
                    assert box["height"] >= 44 and box["x"] + box["width"] <= width, where
                assert_accessible(page)
                path = screenshot_dir / f"{sample.name}-{width}.png"
                page.screenshot(path=str(path), full_page=True)
                written.append(path)
        finally:
            context.close()
        assert requests == []
    assert all(path.stat().st_size > 0 for path in written)


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
def test_the_outbox_page_shows_an_email_as_it_looks(new_context, settings, phone):
    """The demo's outbox page frames each email's HTML part: its inline styles
    apply there (its own policy), the page's policy stays strict, and nothing on
    either breaks a policy."""
    from notifications.services import message_queue

    settings.DEBUG = True
    settings.SITE_URL = SITE
    sample = next(sample for sample in template_samples() if sample.name == "invitation")
    link = sample.action_urls[0]
    message_queue(
        recipient=None,
        to_address="amelie@example.org",
        channel="email",
        template="invitation",
        context={
            "contact_name": "Amélie",
            "school_name": SCHOOL,
            "children": "Zoé",
            "link": link,
            "expires_on": "Friday 18 December 2026",
        },
        idempotency_key="outbox-frame",
    )
    page = new_context(phone=phone).new_page()
    refused = []
    page.on(
        "console",
        lambda message, seen=refused: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto("/outbox/")
    frame = page.frame_locator("iframe.email-preview")
    button = frame.get_by_role("link", name="Accept the invitation")
    expect(button).to_have_attribute("href", link)
    # The inline styles applied: the button is drawn white on dark blue.
    assert button.evaluate("a => getComputedStyle(a).color") == "rgb(255, 255, 255)"
    expect(frame.get_by_role("banner")).to_contain_text(SCHOOL)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert refused == []
    assert_accessible(page)
