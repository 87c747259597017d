"""Every text names its school first and fits two segments: GSM-7 wording, unless a
school's or child's name needs UCS-2 (then 134 characters are counted, not 306);
engagement texts say how to stop them."""

import itertools
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from notifications.models import Message
from notifications.selectors import message_templates
from notifications.services import OutgoingMessage, messages_queue, text_render
from notifications.sms import GSM7_BASIC, GSM7_EXTENSION, sms_length, sms_limit
from notifications.stop_links import Scope, StopLink, stop_token_read
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(django_settings.BASE_DIR) / "templates" / "notifications"
SMS_TEMPLATES = sorted(
    name for name in message_templates() if (TEMPLATES / name / "sms.txt").exists()
)
ENGAGEMENT_TEMPLATES = ["assignment_started", "assignment_reminder", "engagement_nudge", "award"]
SCHOOL = "Oakfield Primary School"
# The switches the texts' templates choose their wording by.
FLAGS = ["short", "school_left", "several", "sms_summary", "emailed"]
LINK = "https://learning.example.sch.uk/children/4821/"


def context(**changes) -> dict:
    values = {
        "school_name": SCHOOL,
        "school_names": SCHOOL,
        "children": "Ava and Noah",
        "first_name": "Ava",
        "topic_title": "Minibeast hunt",
        "class_name": "Class 3B",
        "due_on": "Fri 12 Dec",
        "expires_on": "19 Dec",
        "link": LINK,
        "sign_in_link": "https://learning.example.sch.uk/accounts/login/",
        "settings_link": "https://learning.example.sch.uk/account/",
        "closes_on": "Monday 4 January 2027",
        "code": "482913",
        "minutes": 10,
        "award": "First activity",
        "reason": "doing their first activity",
        "contact_phone": "01632 960123",
        "contact": "office@oakfield.example.sch.uk",
        "found_on": "3 Dec 2026",
        "summary": "A list of names was emailed to the wrong school.",
    }
    return {**values, **changes}


def test_every_text_template_is_checked():
    assert set(ENGAGEMENT_TEMPLATES) <= set(SMS_TEMPLATES)
    assert len(SMS_TEMPLATES) >= 13


@pytest.mark.parametrize("template", SMS_TEMPLATES)
def test_every_text_names_the_school_first_in_every_wording(template):
    for switches in itertools.product([False, True], repeat=len(FLAGS)):
        text = text_render(
            f"notifications/{template}/sms.txt", context(**dict(zip(FLAGS, switches, strict=True)))
        )
        assert text.startswith(f"{SCHOOL}: ") or text.startswith(f"{SCHOOL} "), text


@pytest.mark.parametrize("template", SMS_TEMPLATES)
def test_the_wording_itself_needs_no_ucs2(template):
    """Curly quotes, dashes and ellipses would make every text UCS-2 (67 characters
    a segment instead of 153): the templates' own words use none."""
    source = (TEMPLATES / template / "sms.txt").read_text().strip()
    words = re.sub(r"{[{%].*?[%}]}", "", source)
    outside = {char for char in words if char not in GSM7_BASIC + GSM7_EXTENSION}
    assert not outside, f"{template}: {sorted(outside)}"
    text = text_render(f"notifications/{template}/sms.txt", context())
    assert sms_length(text)[0] == "gsm7"


def queued_text(parent, template, *, kind=Message.Kind.ENGAGEMENT, **changes) -> str:
    """The text the outbox writes from ``template``, with a shorter wording to fall
    back on as the callers give one."""
    base = context(**changes)
    short = {**base, "short": True, "school_name": "Oakfield"}
    [message_id] = messages_queue(
        messages=[
            OutgoingMessage(
                recipient=parent,
                channel=Message.Channel.SMS,
                kind=kind,
                template=template,
                context=base,
                shorter_contexts=[short],
                idempotency_key=f"{template}-{parent.pk}",
            )
        ]
    )
    return Message.objects.get(pk=message_id).body_text


@pytest.mark.parametrize("template", ENGAGEMENT_TEMPLATES)
def test_an_engagement_text_ends_with_its_stop_link(template, settings):
    settings.SITE_URL = "https://learning.example.sch.uk"
    parent = UserFactory(mobile="+447700900123")

    text = queued_text(parent, template)

    assert text.startswith(f"{SCHOOL}: ")
    match = re.search(r"Stop texts: (https://learning\.example\.sch\.uk/stop/([^/\s]+)/)$", text)
    assert match, text
    assert stop_token_read(match[2]) == StopLink(user_id=parent.pk, scope=Scope.SMS)
    encoding, length = sms_length(text)
    assert encoding == "gsm7"
    assert length <= sms_limit("gsm7") == 306


@pytest.mark.parametrize("template", ENGAGEMENT_TEMPLATES)
def test_a_name_that_needs_ucs2_is_counted_in_ucs2(template, settings):
    """ "Zoë" needs UCS-2: a text that keeps her name fits 134 UCS-2 characters,
    not 306; one that cannot falls back to a plainer wording. Either way it says
    how to stop texts (in words when the link would not fit)."""
    settings.SITE_URL = "https://learning.example.sch.uk"
    parent = UserFactory(mobile="+447700900123")

    text = queued_text(parent, template, children="Zoë", first_name="Zoë")

    encoding, length = sms_length(text)
    assert length <= sms_limit(encoding)
    if "Zoë" in text:
        assert encoding == "ucs2" and length <= 134
    assert "stop texts" in text.lower()
    assert text.startswith("Oakfield")


@pytest.mark.parametrize("template", ENGAGEMENT_TEMPLATES)
def test_curly_quotes_and_dashes_do_not_make_a_text_ucs2(template, settings):
    """A school's curly apostrophe or a topic's dash is written plainly: only a name's
    letters ("Zoë") can make a text UCS-2."""
    settings.SITE_URL = "https://learning.example.sch.uk"
    parent = UserFactory(mobile="+447700900123")

    text = queued_text(
        parent,
        template,
        school_name="St Mary\u2019s C of E Primary",
        topic_title="\u201cMinibeasts\u201d \u2013 a hunt\u2026",
        award="\u201cFirst activity\u201d",
    )

    assert sms_length(text)[0] == "gsm7", text
    assert text.startswith("St Mary's C of E Primary: ")


def test_a_long_school_name_still_fits_and_comes_first(settings):
    settings.SITE_URL = "https://learning.example.sch.uk"
    parent = UserFactory(mobile="+447700900123")
    long_name = "The Blessed Sacrament Catholic Voluntary Academy and Nursery of St Aidan"

    text = queued_text(parent, "assignment_started", school_name=long_name)

    assert text.startswith("Oakfield: ") or text.startswith(f"{long_name}: ")
    assert sms_length(text)[1] <= 306
    assert "stop texts" in text.lower()


@pytest.mark.parametrize(
    "template", [name for name in SMS_TEMPLATES if name not in ENGAGEMENT_TEMPLATES]
)
def test_service_texts_carry_no_stop_wording(template, settings):
    """Service and legal texts cannot be turned off: they say nothing about it."""
    parent = UserFactory(mobile="+447700900123")

    text = queued_text(parent, template, kind=Message.Kind.SERVICE)

    assert text.startswith("Oakfield")
    assert "stop texts" not in text.lower()
