"""Privacy notices and platform consent, made the way the portal makes them."""

import factory

from consent.models import ConsentRecord, Method, PrivacyNotice, Purpose
from consent.services import consent_grant, notice_publish
from consent.wording import PURPOSE_STATEMENT
from tests.factories import GuardianshipFactory, UserFactory


class PrivacyNoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrivacyNotice

    version = factory.Sequence(lambda n: f"2.{n}")
    text = "How the portal uses your data."
    summary_of_changes = "First version."


def published_notice(**kwargs) -> PrivacyNotice:
    return notice_publish(notice=PrivacyNoticeFactory(**kwargs), actor=UserFactory(is_staff=True))


def grant_platform(user, notice, method=Method.REGISTRATION) -> ConsentRecord:
    return consent_grant(
        user=user,
        purpose=Purpose.PLATFORM,
        wording=PURPOSE_STATEMENT[Purpose.PLATFORM],
        method=method,
        notice=notice,
    )


def registered_parent(notice=None):
    """A parent with a child, who agreed to ``notice`` (the current one by default)."""
    parent = GuardianshipFactory().parent
    grant_platform(parent, notice if notice is not None else PrivacyNotice.current())
    return parent
