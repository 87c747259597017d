"""The Django admin never shows platform staff a pupil's or parent's name.

A family has done a library topic's activity, rated it and been sent an award
message; deleting the school or the topic, or reading the message, must show
counts and delivery details only.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEntry
from learning.models import Activity, Completion, Feedback, Topic
from notifications.models import Message
from schools.models import School
from tests.factories import (
    ActivityFactory,
    AssignmentFactory,
    GuardianshipFactory,
    SchoolClassFactory,
    SchoolFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NAMES = ["Ottoline", "Quibble", "Peregrine", "Parentson", "peregrine@example.org"]


@pytest.fixture
def family():
    school = SchoolFactory(name="Oakfield Primary")
    school_class = SchoolClassFactory(school=school, name="Robins")
    guardianship = GuardianshipFactory(
        pupil__school=school,
        pupil__school_class=school_class,
        pupil__first_name="Ottoline",
        pupil__last_name="Quibble",
        parent__first_name="Peregrine",
        parent__last_name="Parentson",
        parent__email="peregrine@example.org",
    )
    pupil, parent = guardianship.pupil, guardianship.parent
    topic = TopicFactory(title="Minibeasts")
    activity = ActivityFactory(topic=topic, title="Bug hunt")
    AssignmentFactory(topic=topic, school_class=school_class)
    Completion.objects.create(pupil=pupil, activity=activity, completed_by=parent)
    Feedback.objects.create(pupil=pupil, activity=activity, parent=parent, rating=5, comment="Fun")
    message = Message.objects.create(
        recipient=parent,
        to_address=parent.email,
        channel=Message.Channel.EMAIL,
        kind=Message.Kind.ENGAGEMENT,
        template="award_earned",
        subject="Ottoline earned the First activity award",
        body_text="Well done Ottoline Quibble!",
        idempotency_key="award:1:parent:1:email",
    )
    return {"school": school, "topic": topic, "activity": activity, "message": message}


@pytest.fixture(params=["platform staff", "superuser"])
def admin_client(request, platform_staff_client, staff_client):
    """Platform staff, and a superuser too: Django would show either of them the names."""
    if request.param == "superuser":
        return staff_client(UserFactory(is_staff=True, is_superuser=True))
    return platform_staff_client


def assert_no_names(response):
    content = response.content.decode()
    for name in NAMES:
        assert name not in content, f"{name!r} shown on {response.wsgi_request.path}"


def test_deleting_a_school_is_refused_with_counts_only(admin_client, family):
    school = family["school"]
    url = reverse("admin:schools_school_delete", args=[school.pk])

    page = admin_client.get(url)
    refused = admin_client.post(url, {"post": "yes"})

    assert page.status_code == 200
    content = page.content.decode()
    assert "Schools leave the portal through offboarding" in content
    assert "Pupils: 1" in content
    assert "Links between parents and pupils: 1" in content
    assert_no_names(page)
    assert refused.status_code == 409
    assert_no_names(refused)
    assert School.objects.filter(pk=school.pk).exists()


def test_a_schools_page_and_list_offer_no_delete(admin_client, family):
    school = family["school"]
    change = admin_client.get(reverse("admin:schools_school_change", args=[school.pk]))
    changelist = admin_client.get(reverse("admin:schools_school_changelist"))

    assert reverse("admin:schools_school_delete", args=[school.pk]) not in change.content.decode()
    assert "delete_selected" not in changelist.content.decode()


def test_deleting_a_topic_families_used_is_refused_with_counts_only(admin_client, family):
    topic = family["topic"]
    url = reverse("admin:learning_topic_delete", args=[topic.pk])

    page = admin_client.get(url)
    refused = admin_client.post(url, {"post": "yes"})

    content = page.content.decode()
    assert "This topic cannot be deleted" in content
    assert "Classes it has been set for: 1" in content
    assert "Activities marked done by families: 1" in content
    assert "Ratings, comments and photos from families: 1" in content
    assert_no_names(page)
    assert refused.status_code == 409
    assert_no_names(refused)
    assert Topic.objects.filter(pk=topic.pk).exists()


def test_the_topic_list_has_no_delete_many_action(admin_client, family):
    changelist = admin_client.get(reverse("admin:learning_topic_changelist"))

    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.content.decode()


def test_deleting_a_used_activity_in_the_topic_form_is_refused_with_counts(admin_client, family):
    topic, activity = family["topic"], family["activity"]

    response = admin_client.post(
        reverse("admin:learning_topic_change", args=[topic.pk]),
        {
            "title": topic.title,
            "summary": topic.summary,
            "subject": topic.subject,
            "year_group_min": topic.year_group_min,
            "year_group_max": topic.year_group_max,
            "published": "on",
            "activities-TOTAL_FORMS": "1",
            "activities-INITIAL_FORMS": "1",
            "activities-MIN_NUM_FORMS": "0",
            "activities-MAX_NUM_FORMS": "1000",
            "activities-0-id": activity.pk,
            "activities-0-topic": topic.pk,
            "activities-0-position": activity.position,
            "activities-0-kind": activity.kind,
            "activities-0-title": activity.title,
            "activities-0-instructions": activity.instructions,
            "activities-0-DELETE": "on",
        },
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "This activity cannot be deleted: families have used it" in content
    assert "1 times a family marked it done" in content
    assert_no_names(response)
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_a_topic_nobody_used_is_deleted_through_the_topic_service(platform_staff_client):
    topic = TopicFactory(title="Draft topic")
    ActivityFactory(topic=topic)
    url = reverse("admin:learning_topic_delete", args=[topic.pk])

    assert "Draft topic" in platform_staff_client.get(url).content.decode()
    response = platform_staff_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Topic.objects.filter(pk=topic.pk).exists()
    assert AuditEntry.objects.filter(action="topic.delete", subject_id=str(topic.pk)).exists()


def test_a_message_shows_its_delivery_never_its_subject_body_or_address(admin_client, family):
    message = family["message"]

    changelist = admin_client.get(reverse("admin:notifications_message_changelist"))
    change = admin_client.get(reverse("admin:notifications_message_change", args=[message.pk]))

    for response in (changelist, change):
        assert response.status_code == 200
        assert_no_names(response)
        assert "award_earned" in response.content.decode()
    content = change.content.decode()
    assert "earned the First activity award" not in content
    assert "Well done" not in content
    assert f'<div class="readonly">{message.recipient_id}</div>' in content


def test_a_schools_own_topic_does_not_open_in_the_admin(platform_staff_client):
    topic = TopicFactory(title="Our own trip", school=SchoolFactory())

    response = platform_staff_client.get(reverse("admin:learning_topic_change", args=[topic.pk]))

    assert "Our own trip" not in response.content.decode()
    delete = platform_staff_client.post(
        reverse("admin:learning_topic_delete", args=[topic.pk]), {"post": "yes"}
    )
    assert delete.status_code == 302
    assert Topic.objects.filter(pk=topic.pk).exists()


@pytest.mark.parametrize(
    "url_name", ["admin:schools_school_delete", "admin:notifications_message_changelist"]
)
def test_the_refusal_and_the_outbox_take_the_same_queries_for_1_or_30_pupils(
    platform_staff_client, url_name
):
    def queries_with(pupils: int) -> int:
        school = SchoolFactory()
        for guardianship in GuardianshipFactory.create_batch(pupils, pupil__school=school):
            Message.objects.create(
                recipient=guardianship.parent,
                to_address=guardianship.parent.email,
                channel=Message.Channel.EMAIL,
                template="invitation",
                body_text="-",
                idempotency_key=f"test:{guardianship.pk}",
            )
        args = [school.pk] if url_name.endswith("delete") else []
        with CaptureQueriesContext(connection) as queries:
            response = platform_staff_client.get(reverse(url_name, args=args))
        assert response.status_code == 200
        return len(queries)

    assert queries_with(1) == queries_with(30)
