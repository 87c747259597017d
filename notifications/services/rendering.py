"""Rendering a message from its templates (``templates/notifications/<name>/``):
an email's subject, text and HTML parts (one layout, ``notifications/email/``), or
an SMS that must fit two segments, its typographic punctuation written plainly so
that only a name's letters can make it UCS-2.

Every email's context gets ``site_url`` and ``settings_url`` for its footer; an
engagement email's also gets its stop links (``stop_kind_url`` and
``stop_kind_label`` for its topic, ``stop_all_url`` for every engagement email),
and an engagement text ends by saying how to stop texts: with its stop link when
that fits in two segments, in words when it does not (``notifications.stop_links``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template import Context
from django.template.loader import get_template, render_to_string

from notifications.models import Message, Topic
from notifications.policy import topic_of
from notifications.sms import plain_punctuation, sms_check_length
from notifications.stop_links import Scope, settings_url, stop_url

if TYPE_CHECKING:
    from accounts.models import User

# What an engagement email's "Stop ..." link stops, in its footer's words.
STOP_LABELS = {
    Topic.NEW_WORK: "messages about new work",
    Topic.REMINDERS: "reminders",
    Topic.AWARDS: "messages about awards",
}
# How an engagement text says how to stop texts: with its link, or (when the link
# would not fit in two segments) in words.
SMS_STOP_LINK = "Stop texts: {url}"
SMS_STOP_WORDS = "Stop texts in Settings."


def text_render(name: str, context: Mapping[str, Any]) -> str:
    """Render a plain-text template without HTML escaping."""
    template = get_template(name)
    return template.template.render(Context(dict(context), autoescape=False)).strip()


def _text_tidy(text: str) -> str:
    """An email's text part as a reader sees it: the blocks of its layout leave no
    trailing spaces and never more than one blank line in a row."""
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def message_render(
    *, channel: str, template: str, context: Mapping[str, Any], sms_ending: str = ""
) -> dict[str, str]:
    """The subject and bodies of a message; ValueError if an SMS needs over two
    segments. ``sms_ending`` is a sentence added to the end of an SMS."""
    base = f"notifications/{template}"
    if channel == Message.Channel.EMAIL:
        return {
            "subject": " ".join(text_render(f"{base}/subject.txt", context).split()),
            "body_text": _text_tidy(text_render(f"{base}/body.txt", context)),
            "body_html": render_to_string(f"{base}/body.html", dict(context)),
        }
    if channel == Message.Channel.SMS:
        body = plain_punctuation(text_render(f"{base}/sms.txt", context))
        if sms_ending:
            body = f"{body} {sms_ending}"
        sms_check_length(body)
        return {"subject": "", "body_text": body, "body_html": ""}
    raise ValueError(f"Unknown channel {channel!r}.")


def _footer_links(*, channel: str, template: str, kind: str, recipient) -> dict[str, str]:
    """What an email's footer links to: the portal, the notification settings and,
    for an engagement email, its two stop links."""
    if channel != Message.Channel.EMAIL:
        return {}
    links = {"site_url": f"{settings.SITE_URL.rstrip('/')}/", "settings_url": settings_url()}
    if kind == Message.Kind.ENGAGEMENT and recipient is not None:
        topic = topic_of(template)
        user_id = recipient.pk
        links |= {
            "stop_kind_url": stop_url(user_id=user_id, scope=topic),
            "stop_kind_label": STOP_LABELS[topic],
            "stop_all_url": stop_url(user_id=user_id, scope=Scope.EMAIL),
        }
    return links


def _sms_endings(*, channel: str, template: str, kind: str, recipient) -> list[str]:
    """How an SMS ends, best first: an engagement text says how to stop texts."""
    if channel != Message.Channel.SMS or kind != Message.Kind.ENGAGEMENT:
        return [""]
    topic_of(template)  # every engagement message can be stopped
    endings = [SMS_STOP_WORDS]
    if recipient is not None:
        link = stop_url(user_id=recipient.pk, scope=Scope.SMS)
        endings.insert(0, SMS_STOP_LINK.format(url=link))
    return endings


def message_render_fitting(
    *,
    channel: str,
    template: str,
    contexts: Sequence[Mapping[str, Any]],
    kind: str,
    recipient: User | None,
) -> dict[str, str]:
    """Render the message in the first wording that fits: each of its ``contexts``
    in turn, each ending an SMS may have in turn (its stop link, then words). A
    child's name in full matters more than a link to stop texts. ValueError if
    even the last does not fit."""
    about = {"channel": channel, "template": template, "kind": kind, "recipient": recipient}
    links = _footer_links(**about)
    contexts = [{**links, **context} for context in contexts]
    attempts = [(context, ending) for context in contexts for ending in _sms_endings(**about)]
    for context, ending in attempts[:-1]:
        try:
            return message_render(
                channel=channel, template=template, context=context, sms_ending=ending
            )
        except ValueError:
            continue
    context, ending = attempts[-1]
    return message_render(channel=channel, template=template, context=context, sms_ending=ending)
