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

from tests.browser.helpers import assert_accessible
from tests.notifications.email_samples import allauth_samples, template_samples

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
