"""Every email has the one layout: both parts, inline styles only and nothing
from another host, a preheader, the school named in the header, the main action
as a button with its link written out, and a footer saying why it came and
whether it can be turned off (docs/architecture.md, Notifications)."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings

from tests.notifications.email_samples import (
    PORTAL,
    SCHOOL,
    allauth_samples,
    footer_links,
    template_dirs,
    template_samples,
)

pytestmark = pytest.mark.django_db

SITE = "https://portal.example.org"
BUTTON_WORDING = "If the button does not work"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def samples():
    return template_samples() + allauth_samples()


class Parts(HTMLParser):
    """The header, the buttons and the footer of an email's HTML part."""

    def __init__(self):
        super().__init__()
        self.preheader = ""
        self.cells: list[str] = []
        self.buttons: list[tuple[str, str]] = []
        self._in_preheader = False
        self._anchor: dict | None = None
        self._in_button_cell = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        style = attrs.get("style") or ""
        if tag == "div" and "display:none" in style:
            self._in_preheader = True
        if tag == "td" and "background-color:#1d4f91" in style:
            self._in_button_cell = True
        if tag == "a" and self._in_button_cell:
            self._anchor = {"href": attrs["href"], "text": ""}

    def handle_endtag(self, tag):
        if tag == "div":
            self._in_preheader = False
        if tag == "a" and self._anchor is not None:
            self.buttons.append((self._anchor["href"], self._anchor["text"].strip()))
            self._anchor = None
        if tag == "td":
            self._in_button_cell = False

    def handle_data(self, data):
        if self._in_preheader:
            self.preheader += data
        if self._anchor is not None:
            self._anchor["text"] += data


def parts(html: str) -> Parts:
    parser = Parts()
    parser.feed(html)
    return parser


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_every_template_with_an_html_part_has_a_sample():
    """allauth's emails are all the account_email template, sampled by allauth_samples."""
    sampled = {sample.name for sample in template_samples()}
    assert sampled | {"account_email"} == set(template_dirs())
    assert "invitation" in sampled


def test_every_email_has_a_text_and_an_html_part_in_the_layout(samples):
    assert len(samples) == len(template_dirs()) - 1 + 6
    for sample in samples:
        assert sample.subject, sample.name
        assert sample.body_text.strip(), sample.name
        assert sample.body_html.startswith("<!DOCTYPE html>"), sample.name
        assert '<html lang="en">' in sample.body_html, sample.name
        assert re.search(r"<title>[^<]+</title>", sample.body_html), sample.name
        assert "max-width:600px" in sample.body_html, sample.name


def test_the_html_loads_nothing_and_needs_no_stylesheet(samples):
    for sample in samples:
        html = sample.body_html.lower()
        for forbidden in ("<link", "<script", "@import", "url(", "<style", "<img", " class="):
            assert forbidden not in html, (sample.name, forbidden)
        # No source of any kind; links go to the portal, or are mailto: links.
        assert not re.search(r"\ssrc=", html), sample.name
        for href in re.findall(r'href="([^"]+)"', sample.body_html):
            assert href.startswith((SITE, "mailto:")), (sample.name, href)


def test_each_email_has_a_preheader_and_names_its_school_in_the_header(samples):
    for sample in samples:
        email = parts(sample.body_html)
        assert email.preheader.strip(), sample.name
        header = sample.body_html.split("<h1", 1)[0]
        if sample.school_name:
            assert sample.school_name in text_of(header), sample.name
            assert PORTAL in text_of(header), sample.name
            assert sample.body_text.startswith(f"{sample.school_name}\n{PORTAL}\n"), sample.name
        else:
            assert SCHOOL not in header, sample.name
            assert PORTAL in text_of(header), sample.name
            assert sample.body_text.startswith(f"{PORTAL}\n"), sample.name


def test_the_main_action_is_a_button_with_its_link_written_out_in_both_parts(samples):
    for sample in samples:
        email = parts(sample.body_html)
        assert [href for href, _ in email.buttons] == sample.action_urls, sample.name
        for href, label in email.buttons:
            assert label, sample.name  # the button says what it does
            # The same link is written out below the button, and in the text part.
            assert f">{href}</a>" in sample.body_html, sample.name
            assert href in sample.body_text, sample.name
        # "If the button does not work" only where there is a button.
        assert (BUTTON_WORDING in sample.body_html) == bool(sample.action_urls), sample.name
        assert BUTTON_WORDING not in sample.body_text, sample.name


def test_the_footer_says_why_it_came_in_both_parts(samples):
    for sample in samples:
        footer = text_of(sample.body_html.rsplit("border-top:1px solid", 1)[1])
        assert sample.footer_reason in footer, sample.name
        assert sample.footer_reason in sample.body_text, sample.name
        if sample.school_name:
            assert "Sent for" in footer and "Sent for" in sample.body_text, sample.name


def test_engagement_emails_offer_their_stop_links_in_both_parts(samples):
    engagement = [sample for sample in samples if sample.engagement]
    assert {sample.name for sample in engagement} == {
        "assignment_started",
        "assignment_reminder",
        "engagement_nudge",
        "award",
    }
    for sample in engagement:
        links = footer_links(engagement=True, template=sample.name)
        assert f"Stop {links['stop_kind_label']}" in sample.body_html, sample.name
        assert links["stop_kind_url"].startswith(f"{settings.SITE_URL.rstrip('/')}/stop/")
        assert f'href="{links["stop_kind_url"]}"' in sample.body_html, sample.name
        assert f'href="{links["stop_all_url"]}"' in sample.body_html, sample.name
        assert f'href="{links["settings_url"]}"' in sample.body_html, sample.name
        for url in (links["stop_kind_url"], links["stop_all_url"], links["settings_url"]):
            assert url in sample.body_text, sample.name
        assert "cannot be turned off" not in sample.body_text, sample.name


def test_service_emails_say_why_they_cannot_be_turned_off(samples):
    for sample in samples:
        if sample.engagement:
            continue
        assert "cannot be turned off" in text_of(sample.body_html), sample.name
        assert "cannot be turned off" in sample.body_text, sample.name
        assert "Stop all news emails" not in sample.body_html, sample.name


def test_an_engagement_email_without_stop_links_points_to_the_settings(settings):
    from notifications.services import message_render

    context = {
        "first_name": "Zoé",
        "award": "Five in a row",
        "reason": "doing home learning five weeks running",
        "link": f"{SITE}/learning/children/7/",
        "settings_url": f"{SITE}/notifications/preferences/",
    }
    rendered = message_render(channel="email", template="award", context=context)
    assert "Stop all news emails" not in rendered["body_html"]
    assert f'<a href="{SITE}/notifications/preferences/"' in rendered["body_html"]
    assert f"notification settings:\n{SITE}/notifications/preferences/" in rendered["body_text"]


def test_allauth_text_keeps_its_wording_and_the_html_its_paragraphs(samples):
    reset = next(sample for sample in samples if sample.name == "allauth_password_reset_key")
    assert "Someone (we hope you) asked to reset the password" in reset.body_text
    assert "Choose a new password here (the link works once):\n" in reset.body_text
    assert "Someone (we hope you) asked to reset the password" in reset.body_html
    # The link's own line became the button: it is written out once, below it.
    assert reset.body_html.count(f">{reset.action_urls[0]}</a>") == 1
    assert ">Choose a new password</a>" in reset.body_html
    changed = next(sample for sample in samples if sample.name == "allauth_password_changed")
    assert "Your password has been changed." in changed.body_html
    assert "203.0.113.7" in changed.body_html and "203.0.113.7" in changed.body_text
