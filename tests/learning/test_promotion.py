"""Consent in effect: a parent's comments and photos are usable for promotion only
while their media_promotion consent is granted."""

import pytest
from django.utils import timezone

from consent.models import Method, Purpose
from consent.services import consent_grant, consent_withdraw
from consent.wording import PURPOSE_STATEMENT
from learning.models import Feedback
from learning.selectors import feedback_for_promotion
from tests.factories import ActivityFactory, GuardianshipFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def grant(parent):
    consent_grant(
        user=parent,
        purpose=Purpose.MEDIA_PROMOTION,
        wording=PURPOSE_STATEMENT[Purpose.MEDIA_PROMOTION],
        method=Method.SETTINGS,
    )


def withdraw(parent):
    consent_withdraw(
        user=parent,
        purpose=Purpose.MEDIA_PROMOTION,
        wording=PURPOSE_STATEMENT[Purpose.MEDIA_PROMOTION],
        method=Method.SETTINGS,
    )


def feedback_by(guardianship, **fields):
    fields.setdefault("comment", "We loved counting the spoons.")
    fields.setdefault("moderation_status", Feedback.Moderation.APPROVED)
    return Feedback.objects.create(
        pupil=guardianship.pupil,
        parent=guardianship.parent,
        activity=fields.pop("activity", None) or ActivityFactory(),
        rating=5,
        **fields,
    )


def selected(**kwargs) -> list[Feedback]:
    return list(feedback_for_promotion(**kwargs))


@pytest.fixture
def family():
    return GuardianshipFactory()


def test_feedback_is_selected_while_consent_is_granted_and_not_after_withdrawal(family):
    comment = feedback_by(family)
    photo = feedback_by(family, comment="", photo="feedback/abc.jpg")
    assert selected() == []  # never chose: no consent

    grant(family.parent)
    assert sorted(f.pk for f in selected()) == sorted([comment.pk, photo.pk])

    withdraw(family.parent)
    assert selected() == []

    grant(family.parent)
    assert sorted(f.pk for f in selected()) == sorted([comment.pk, photo.pk])


def test_only_the_newest_record_counts_even_with_the_same_timestamp(family, monkeypatch):
    comment = feedback_by(family)
    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)
    grant(family.parent)
    withdraw(family.parent)  # same created_at: the later row decides

    assert selected() == []
    grant(family.parent)
    assert selected() == [comment]


def test_another_parents_consent_does_not_apply_to_this_parents_feedback(family):
    other = GuardianshipFactory(pupil=family.pupil)  # the child's other parent
    mine = feedback_by(family)
    theirs = feedback_by(other)
    grant(other.parent)

    assert selected() == [theirs]
    withdraw(other.parent)
    grant(family.parent)
    assert selected() == [mine]


def test_another_purpose_is_not_promotion_consent(family):
    feedback_by(family)
    consent_grant(
        user=family.parent,
        purpose=Purpose.MARKETING_EMAIL,
        wording=PURPOSE_STATEMENT[Purpose.MARKETING_EMAIL],
        method=Method.SETTINGS,
    )
    assert selected() == []


def test_removed_rejected_unmoderated_and_rating_only_feedback_is_never_selected(family):
    grant(family.parent)
    feedback_by(family, removed_at=timezone.now())
    feedback_by(family, moderation_status=Feedback.Moderation.REJECTED)
    feedback_by(family, moderation_status=Feedback.Moderation.PENDING)  # school moderates
    feedback_by(family, comment="")  # a rating alone
    school = family.pupil.school
    school.moderate_feedback = True
    school.save(update_fields=["moderate_feedback"])

    assert selected() == []


def test_feedback_needs_no_approval_at_a_school_that_does_not_moderate(family):
    grant(family.parent)
    waiting = feedback_by(family, moderation_status=Feedback.Moderation.PENDING)
    # rejected while the school moderated, which it has stopped doing since
    feedback_by(family, moderation_status=Feedback.Moderation.REJECTED)
    assert family.pupil.school.moderate_feedback is False
    assert selected() == [waiting]


@pytest.mark.parametrize(
    "account",
    [{"processing_restricted": True}, {"closed_at": "now", "is_active": False}],
    ids=["restricted", "closed"],
)
def test_a_restricted_or_closed_parents_feedback_is_not_selected(family, account):
    grant(family.parent)
    feedback_by(family)
    for field, value in account.items():
        setattr(family.parent, field, timezone.now() if value == "now" else value)
    family.parent.save()

    assert selected() == []


def test_the_selection_can_be_narrowed_to_one_school(family):
    elsewhere = GuardianshipFactory(pupil__school=SchoolFactory())
    grant(family.parent)
    grant(elsewhere.parent)
    mine = feedback_by(family)
    theirs = feedback_by(elsewhere)

    assert selected(school=family.pupil.school) == [mine]
    assert selected(school=elsewhere.pupil.school) == [theirs]
    assert {f.pk for f in selected()} == {mine.pk, theirs.pk}


@pytest.mark.parametrize("families", [1, 30])
def test_the_selection_is_one_query_for_1_or_30_families(django_assert_num_queries, families):
    for _ in range(families):
        guardianship = GuardianshipFactory()
        grant(guardianship.parent)
        feedback_by(guardianship)
        feedback_by(guardianship, photo="feedback/x.jpg")
    with django_assert_num_queries(1):
        rows = [(f.activity.title, f.pupil.school.name) for f in feedback_for_promotion()]
    assert len(rows) == 2 * families
