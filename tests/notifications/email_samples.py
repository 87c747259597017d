"""Every email the portal sends, rendered with realistic context: a long school
name, a child's name with an accent, a teacher's message over several lines.

Used by the layout tests (tests/notifications/test_email_layout.py) and by the
browser test that looks at each one at phone and desktop width
(tests/browser/test_emails_rendered.py). A template directory with an HTML part
and no sample here fails those tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from allauth.account.adapter import get_adapter
from allauth.core.context import request_context
from django.conf import settings
from django.test import RequestFactory

from notifications.models import Message
from notifications.policy import topic_of
from notifications.services import message_render_fitting
from notifications.services.rendering import STOP_LABELS
from notifications.stop_links import Scope, settings_url, stop_url
from tests.factories import GuardianshipFactory, UserFactory

SCHOOL = "St Bartholomew\u2019s Church of England Voluntary Aided Primary School and Nursery"
CHILD = "Zoé"
TEMPLATES = Path(settings.BASE_DIR) / "templates" / "notifications"
PORTAL = "Home Learning Portal"


@dataclass
class Sample:
    name: str
    subject: str
    body_text: str
    body_html: str
    school_name: str  # what the header should name ("" for the portal alone)
    action_urls: list[str]  # the links its buttons carry, in order
    footer_reason: str  # a sentence of the footer's reason, in both parts
    engagement: bool = False


def site(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


# The account the samples are addressed to (its id is all a stop link needs).
RECIPIENT = SimpleNamespace(pk=4821)


def footer_links(*, engagement: bool, template: str = "assignment_started") -> dict[str, str]:
    """What the outbox adds to an email's context, computed as it does: the portal,
    the notification settings and, for engagement messages, the links that stop
    them (``template``'s topic, and every news email)."""
    links = {"site_url": f"{settings.SITE_URL.rstrip('/')}/", "settings_url": settings_url()}
    if engagement:
        topic = topic_of(template)
        links |= {
            "stop_kind_url": stop_url(user_id=RECIPIENT.pk, scope=topic),
            "stop_kind_label": STOP_LABELS[topic],
            "stop_all_url": stop_url(user_id=RECIPIENT.pk, scope=Scope.EMAIL),
        }
    return links


def template_dirs() -> list[str]:
    """Every message kind with an HTML email part."""
    return sorted(path.parent.name for path in TEMPLATES.glob("*/body.html"))


def _children_links(names: list[str]) -> list[dict[str, str]]:
    return [
        {"name": name, "link": site(f"/learning/children/{index}/assignments/42/")}
        for index, name in enumerate(names, start=7)
    ]


def _contexts() -> dict[str, tuple[dict, list[str], str, bool]]:
    """template -> (context, the context keys of its action links, footer reason, engagement)."""
    invitation = {
        "contact_name": "Amélie",
        "school_name": SCHOOL,
        "children": f"{CHILD} and Tomás",
        "link": site("/invitations/Zx9_Ab-cD3fGhIjKlMnOpQrStUvWxYz0123456789/"),
        "expires_on": "Friday 18 December 2026",
        "sent_on": "Friday 4 December 2026",
    }
    links = _children_links([CHILD, "Tomás"])
    assignment = {
        "parent_name": "Amélie",
        "school_name": SCHOOL,
        "class_name": "Year 2 Kingfishers",
        "topic_title": "Minibeasts in the garden: a hunt for snails, woodlice and worms",
        "topic_summary": "Go outside together and look under stones and leaves.",
        "teacher_message": "Bring a jar & a spoon.\nTake a photo of what you find!",
        "children": f"{CHILD} and Tomás",
        "several": True,
        "child_links": links,
        "link": links[0]["link"],
        "starts_on": "Monday 7 December 2026",
        "due_on": "Friday 18 December 2026",
    }
    invited = "has you as a contact for"
    engaged = "you get news of"
    return {
        "invitation": (invitation, ["link"], invited, False),
        "invitation_reminder": (invitation, ["link"], invited, False),
        "invitation_code": (
            {**invitation, "code": "493 817", "minutes": 15},
            [],
            "asked for a code",
            False,
        ),
        "assignment_started": (assignment, ["link"], engaged, True),
        "assignment_reminder": (assignment, ["link"], engaged, True),
        "engagement_nudge": (assignment, ["link"], engaged, True),
        "award": (
            {
                "first_name": CHILD,
                "award": "Five in a row",
                "reason": "doing home learning five weeks running",
                "link": site("/learning/children/7/"),
                "school_name": SCHOOL,
            },
            ["link"],
            engaged,
            True,
        ),
        "pupil_left": (
            {
                "parent_name": "Amélie",
                "children": CHILD,
                "several": False,
                "school_name": SCHOOL,
                "settings_link": site("/account/"),
                "school_left": False,
            },
            ["settings_link"],
            "recorded that",
            False,
        ),
        "guardianship_ended": (
            {
                "parent_name": "Amélie",
                "first_name": CHILD,
                "school_name": SCHOOL,
                "contact_email": "office@st-bartholomews.example.org",
                "contact_phone": "020 7946 0123",
            },
            [],
            "changed who is linked to",
            False,
        ),
        "account_closing": (
            {
                "parent_name": "Amélie",
                "closes_on": "Friday 8 January 2027",
                "sign_in_link": site("/accounts/login/"),
            },
            ["sign_in_link"],
            "nobody has signed in to",
            False,
        ),
        "incident_family": (
            {
                "parent_name": "Amélie",
                "school_names": SCHOOL,
                "several_schools": False,
                "found_on": "3 December 2026",
                "summary": "A report of pupils\u2019 reading levels was sent to the wrong school.",
                "actions": "The other school has deleted it. We have changed how reports are sent.",
                "contact": "privacy@portal.example.org",
            },
            [],
            "may affect information",
            False,
        ),
        "incident_school": (
            {
                "admin_name": "Grace",
                "schools": [{"name": SCHOOL, "pupils": 212, "parents": 301, "staff": 19}],
                "school_names": SCHOOL,
                "data_affected": ["Names and year groups of pupils"],
                "found_on": "3 December 2026",
                "summary": "A report of pupils\u2019 reading levels was sent to the wrong school.",
                "actions": "The other school has deleted it.",
                "contact": "privacy@portal.example.org",
            },
            [],
            "you are an admin of",
            False,
        ),
        "staff_added": (
            {
                "user_name": "Nia",
                "actor_name": "Grace Okafor-Lindqvist",
                "school_name": SCHOOL,
                "role": "teacher",
                "password_url": site("/accounts/password/reset/key/3f-c4b2a1-0a9e8f7d6c5b/"),
                "sign_in_url": site("/accounts/login/"),
            },
            ["password_url"],
            "added you to",
            False,
        ),
        "platform_staff_invited": (
            {
                "user_name": "Robin",
                "password_url": site("/accounts/password/reset/key/3g-c4b2a1-0a9e8f7d6c5b/"),
                "admin_url": site("/admin/"),
            },
            ["password_url"],
            "platform staff account",
            False,
        ),
    }


def template_samples() -> list[Sample]:
    """One sample of each template with an HTML part, rendered as the outbox does."""
    samples = []
    for name, (context, action_keys, reason, engagement) in _contexts().items():
        full = {**context, **footer_links(engagement=engagement, template=name)}
        # As the outbox renders it, footer links included.
        rendered = message_render_fitting(
            channel=Message.Channel.EMAIL,
            template=name,
            contexts=[context],
            kind=Message.Kind.ENGAGEMENT if engagement else Message.Kind.SERVICE,
            recipient=RECIPIENT,
        )
        actions = [child["link"] for child in full["child_links"]] if "child_links" in full else []
        samples.append(
            Sample(
                name=name,
                school_name=full.get("school_name", ""),
                action_urls=actions or [full[key] for key in action_keys],
                footer_reason=reason,
                engagement=engagement,
                **rendered,
            )
        )
    return samples


# allauth email -> (context allauth gives it, the link its button carries, footer reason)
ALLAUTH_EMAILS = {
    "password_reset_key": (
        {"password_reset_url": "/accounts/password/reset/key/5-abc123-def456/"},
        "password_reset_url",
        "reset the password",
    ),
    "email_confirmation": (
        {"activate_url": "/accounts/confirm-email/MTI:1vRz:abcdef/"},
        "activate_url",
        "use this address",
    ),
    "email_in_use": ({}, "", "another Home Learning Portal account"),
    "unknown_account": ({}, "", "reset the password"),
    "password_changed": ({}, "", "a change was made"),
    "email_changed": (
        {"from_email": "amelie@example.org", "to_email": "amelie.new@example.org"},
        "",
        "a change was made",
    ),
}


def allauth_samples() -> list[Sample]:
    """Each email allauth sends, through the portal's adapter and outbox (needs the
    database). The account belongs to one school, so its header names it; the
    unknown-account email has no account, and names the portal alone."""
    parent = UserFactory(first_name="Amélie", email="amelie@example.org")
    GuardianshipFactory(parent=parent, pupil__first_name=CHILD, pupil__school__name=SCHOOL)
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Firefox")
    samples = []
    with request_context(request):
        adapter = get_adapter(request)
        for kind, (extra, link_key, reason) in ALLAUTH_EMAILS.items():
            context = {
                key: site(value) if key.endswith("_url") else value for key, value in extra.items()
            }
            prefix = f"account/email/{kind}"
            if kind == "unknown_account":
                adapter.send_mail(prefix, "nobody@example.org", context)
            elif kind in ("password_changed", "email_changed"):
                adapter.send_notification_mail(prefix, parent, context, email=parent.email)
            else:
                adapter.send_mail(prefix, parent.email, {**context, "user": parent})
            message = Message.objects.filter(reference=f"account-email:{kind}").latest("pk")
            samples.append(
                Sample(
                    name=f"allauth_{kind}",
                    subject=message.subject,
                    body_text=message.body_text,
                    body_html=message.body_html,
                    school_name="" if kind == "unknown_account" else SCHOOL,
                    action_urls=[context[link_key]] if link_key else [],
                    footer_reason=reason,
                )
            )
    return samples
