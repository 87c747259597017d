"""Who may read and edit topics (accounts.access)."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from accounts import access
from tests.factories import (
    AssignmentFactory,
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    TopicFactory,
    UserFactory,
    admin_of,
    teacher_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    school, other_school = SchoolFactory(), SchoolFactory()
    school_class = SchoolClassFactory(school=school)
    return {
        "school": school,
        "class": school_class,
        "teacher": teacher_of(school_class),
        "admin": admin_of(school),
        "other_teacher": teacher_of(SchoolClassFactory(school=other_school)),
        "library": TopicFactory(school=None, published=True),
        "library_draft": TopicFactory(school=None, published=False),
        "own": TopicFactory(school=school, published=True),
        "own_draft": TopicFactory(school=school, published=False),
        "other": TopicFactory(school=other_school, published=True),
    }


def _visible(user) -> set:
    return set(access.topics_visible_to(user))


def test_school_staff_see_the_published_library_and_their_schools_topics(world):
    expected = {world["library"], world["own"], world["own_draft"]}

    assert _visible(world["teacher"]) == expected
    assert _visible(world["admin"]) == expected
    assert _visible(world["other_teacher"]) == {world["library"], world["other"]}


def test_platform_staff_see_the_whole_library_and_no_schools_topics(world):
    platform = UserFactory(is_staff=True)

    assert _visible(platform) == {world["library"], world["library_draft"]}


def test_a_parent_sees_a_topic_only_once_it_has_started_for_their_childs_class(world):
    parent = UserFactory()
    GuardianshipFactory(
        parent=parent, pupil=PupilFactory(school=world["school"], school_class=world["class"])
    )
    today = timezone.localdate()
    AssignmentFactory(topic=world["own"], school_class=world["class"], starts_on=today)
    AssignmentFactory(
        topic=world["library"], school_class=world["class"], starts_on=today + timedelta(days=1)
    )

    assert _visible(parent) == {world["own"]}
    assert _visible(UserFactory()) == set()


def test_only_staff_of_the_school_may_edit_its_topics_and_nobody_the_library(world):
    assert set(access.topics_editable_by(world["teacher"])) == {world["own"], world["own_draft"]}
    assert set(access.topics_editable_by(world["admin"])) == {world["own"], world["own_draft"]}
    assert access.can_edit_topic(world["teacher"], world["own"])
    assert not access.can_edit_topic(world["teacher"], world["library"])
    assert not access.can_edit_topic(world["other_teacher"], world["own"])
    assert not access.can_edit_topic(UserFactory(is_staff=True), world["library"])


def test_editing_a_library_or_another_schools_topic_is_a_404(world):
    with pytest.raises(Http404):
        access.topic_editable_or_404(world["teacher"], world["library"].pk)
    with pytest.raises(Http404):
        access.topic_editable_or_404(world["teacher"], world["other"].pk)
    with pytest.raises(Http404):
        access.topic_or_404(world["teacher"], world["other"].pk)
    assert access.topic_editable_or_404(world["admin"], world["own"].pk) == world["own"]


def test_only_school_staff_author_topics(world):
    assert access.can_author_topics(world["teacher"])
    assert access.can_author_topics(world["admin"])
    assert not access.can_author_topics(UserFactory())
    assert not access.can_author_topics(UserFactory(is_staff=True))
