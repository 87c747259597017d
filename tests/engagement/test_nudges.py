"""A teacher nudges the families of ticked pupils about a piece of work: through
the outbox as an engagement message (preferences and quiet hours respected), at
most once per family and piece of work in 7 days, audited without names."""

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from engagement.models import Nudge
from engagement.services import NudgeError, nudges_send
from notifications.models import Message, NotificationPreference
from tests.engagement.dashboard_world import build_world, family
from tests.factories import (
    AssignmentFactory,
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("engagement:nudge")


@pytest.fixture
def world(settings):
    settings.SITE_URL = "https://portal.example.org"
    settings.QUIET_HOURS = None
    return build_world()


def _form(world, *pupils):
    return {
        "school_class": world.robins.pk,
        "assignment": world.assignment.pk,
        "pupil": [pupil.pk for pupil in pupils],
    }


def test_the_confirmation_says_who_gets_it_and_who_is_skipped_and_sends_nothing(
    staff_client, world
):
    opted_out = world.parents["lapsed"]
    NotificationPreference.objects.create(
        user=opted_out, engagement_email=False, engagement_sms=False
    )
    Nudge.objects.create(
        assignment=world.assignment,
        parent=world.parents["active"],
        sent_by=world.teacher,
        sent_at=timezone.now() - timedelta(days=6),
        sent_on=timezone.localdate() - timedelta(days=6),
    )
    response = staff_client(world.teacher).get(
        URL, _form(world, world.active, world.lapsed, world.silent, world.unreached)
    )
    assert response.status_code == 200
    plan = response.context["plan"]
    assert [family.parent for family in plan.families] == [world.parents["silent"]]
    assert (plan.recently_nudged, plan.without_parent, plan.not_messageable) == (1, 1, 1)
    page = response.content.decode()
    assert "1 parent</strong>" in page
    assert "nudged about this work in the last 7 days" in page
    assert "no parent joined yet" in page
    assert "chose not to get messages like this" in page
    assert not Message.objects.exists() and Nudge.objects.count() == 1


def test_a_pupil_with_two_parents_is_counted_as_two_parents_each_named_once(staff_client, world):
    """Each joined parent gets their own message, so the page counts parents, and
    names each with their child, never the same line twice."""
    second = UserFactory(first_name="Second", last_name="Carer")
    GuardianshipFactory(pupil=world.silent, parent=second)

    page = staff_client(world.teacher).get(URL, _form(world, world.silent)).content.decode()

    assert "2 parents</strong>" in page
    for parent in (world.parents["silent"], second):
        line = f"{parent.get_full_name()}, parent of {world.silent.full_name}"
        assert page.count(line) == 1


def test_sending_writes_one_engagement_message_per_family_and_channel(staff_client, world):
    silent = world.parents["silent"]
    silent.mobile = "+447700900123"
    silent.save()
    # A second child of the same parent in the class: one family, one message each way.
    sibling = PupilFactory(school=world.school, school_class=world.robins, first_name="Cleo")
    GuardianshipFactory(pupil=sibling, parent=silent)
    response = staff_client(world.teacher).post(URL, _form(world, world.silent, sibling))
    assert response.status_code == 302
    messages = list(Message.objects.filter(template="engagement_nudge").order_by("channel"))
    assert [(m.channel, m.recipient) for m in messages] == [
        (Message.Channel.EMAIL, silent),
        (Message.Channel.SMS, silent),
    ]
    email = messages[0]
    assert email.kind == Message.Kind.ENGAGEMENT
    assert "Oakfield Primary" in email.body_text
    assert "Cara and Cleo" in email.body_text
    assert "Minibeasts" in email.body_text
    link = (
        f"https://portal.example.org/children/{world.silent.pk}/assignments/{world.assignment.pk}/"
    )
    assert link in email.body_text
    assert world.silent.last_name not in email.body_text
    assert Nudge.objects.filter(assignment=world.assignment, parent=silent).count() == 1
    follow = staff_client(world.teacher).get(response["Location"])
    assert "Nudge sent to 1 parent about Minibeasts." in follow.content.decode()


def test_preferences_are_respected(staff_client, world):
    silent = world.parents["silent"]
    silent.mobile = "+447700900123"
    silent.save()
    NotificationPreference.objects.create(user=silent, engagement_email=False, engagement_sms=True)
    staff_client(world.teacher).post(URL, _form(world, world.silent))
    assert list(Message.objects.values_list("channel", flat=True)) == [Message.Channel.SMS]


def test_a_text_in_quiet_hours_waits_until_morning(staff_client, world, settings):
    from datetime import time

    settings.QUIET_HOURS = (time(0, 0), time(23, 59, 59))  # always quiet
    silent = world.parents["silent"]
    silent.mobile = "+447700900123"
    silent.save()
    NotificationPreference.objects.create(user=silent, engagement_email=False, engagement_sms=True)
    staff_client(world.teacher).post(URL, _form(world, world.silent))
    message = Message.objects.get()
    assert message.not_before is not None and message.status == Message.Status.PENDING


def test_a_family_is_nudged_once_about_a_piece_of_work_in_seven_days(staff_client, world):
    client = staff_client(world.teacher)
    client.post(URL, _form(world, world.silent))
    client.post(URL, _form(world, world.silent))  # a second click
    assert Message.objects.count() == 1
    assert Nudge.objects.count() == 1
    with pytest.raises(NudgeError):
        nudges_send(assignment=world.assignment, pupil_ids=[world.silent.pk], actor=world.teacher)
    # A week later, once more.
    later = timezone.now() + timedelta(days=7, minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        result = nudges_send(
            assignment=world.assignment, pupil_ids=[world.silent.pk], actor=world.teacher
        )
    assert result.families == 1
    assert Nudge.objects.count() == 2


def test_the_database_refuses_two_nudges_to_a_parent_about_a_work_on_one_day(world):
    fields = {
        "assignment": world.assignment,
        "parent": world.parents["silent"],
        "sent_on": timezone.localdate(),
    }
    Nudge.objects.create(**fields)
    with pytest.raises(IntegrityError):
        Nudge.objects.create(**fields)


def test_a_nudge_is_audited_with_ids_and_counts_never_names(staff_client, world):
    staff_client(world.teacher).post(URL, _form(world, world.silent, world.unreached))
    entry = AuditEntry.objects.get(action="nudge.send")
    assert entry.actor == world.teacher
    assert entry.school_id == world.school.pk
    assert entry.subject_id == str(world.assignment.pk)
    assert entry.changes["parents"] == [world.parents["silent"].pk]
    assert sorted(entry.changes["pupils"]) == sorted([world.silent.pk, world.unreached.pk])
    assert entry.changes["skipped_no_parent"] == 1
    text = json.dumps(entry.changes)
    for person in (world.silent, world.parents["silent"]):
        assert person.first_name not in text and person.last_name not in text


def test_pupils_of_other_classes_are_ignored_and_other_work_is_a_404(staff_client, world):
    other = SchoolClassFactory(school=world.school, name="Wrens")
    stranger, stranger_parent = family(other, "Zed")
    client = staff_client(world.teacher)
    client.post(URL, _form(world, world.silent, stranger))
    assert not Message.objects.filter(recipient=stranger_parent).exists()
    other_work = AssignmentFactory(school_class=other, starts_on=timezone.localdate())
    form = {**_form(world, world.silent), "assignment": other_work.pk}
    assert client.get(URL, form).status_code == 404
    assert client.post(URL, form).status_code == 404


def test_work_that_is_not_open_cannot_be_nudged_about(staff_client, world):
    finished = AssignmentFactory(
        school_class=world.robins,
        starts_on=timezone.localdate() - timedelta(days=30),
        due_on=timezone.localdate() - timedelta(days=1),
    )
    client = staff_client(world.teacher)
    response = client.post(URL, {**_form(world, world.silent), "assignment": finished.pk})
    assert response.status_code == 302
    assert not Message.objects.exists()


def test_nothing_ticked_shows_the_dashboard_again_with_an_error_summary(staff_client, world):
    client = staff_client(world.teacher)
    response = client.get(URL, {"school_class": world.robins.pk, "assignment": world.assignment.pk})
    assert response.status_code == 302
    assert response["Location"].endswith("&nudge=again#error-summary")
    page = client.get(response["Location"]).content.decode()
    assert "<title>Error: " in page
    summary = page[page.index('id="error-summary"') :]
    assert summary.index("Tick at least one pupil") < summary.index('id="nudge-form"')
    assert '<a href="#nudge-form">Tick at least one pupil' in summary


def test_a_parent_cannot_nudge(client, world):
    client.force_login(world.parents["active"])
    assert client.post(URL, _form(world, world.silent)).status_code == 404
    assert not Message.objects.exists()


@pytest.mark.parametrize("size", [1, 30])
def test_the_confirmation_query_count_does_not_grow_with_pupils(staff_client, num_queries, size):
    world = build_world()
    pupils = [family(world.robins, f"Extra{index}")[0] for index in range(size)]
    client = staff_client(world.teacher)
    client.get(reverse("engagement:teacher_dashboard"))
    query = "&".join(f"pupil={pupil.pk}" for pupil in pupils)
    url = f"{URL}?school_class={world.robins.pk}&assignment={world.assignment.pk}&{query}"
    response = num_queries(client, url, 15)
    assert len(response.context["plan"].families) == size
