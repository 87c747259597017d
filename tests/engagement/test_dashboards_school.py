"""A school admin's engagement dashboard: reach, weekly families and completions
over the term, classes and year groups this week against last, the invitation
funnel, topics by use, families never active; a query count that does not grow."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from engagement.selectors import (
    Period,
    Term,
    families_this_week_and_last,
    last_week,
    school_term,
    school_today,
    this_week,
    week_start,
    weekly_active_families,
    weekly_completions,
)
from invitations.models import Invitation
from schools.models import YearGroup
from tests.engagement.dashboard_world import build_world, event, family, more_families
from tests.factories import SchoolClassFactory, UserFactory, admin_of

pytestmark = pytest.mark.django_db


def _url(school):
    return reverse("engagement:school_dashboard", args=[school.pk])


def _invitation(school, status, **fields):
    return Invitation.objects.create(
        school=school,
        email="someone@example.org",
        token_hash=f"{status}-{Invitation.objects.count()}",
        status=status,
        expires_at=timezone.now() + timedelta(days=14),
        **fields,
    )


@pytest.fixture
def world():
    return build_world()


def test_terms_and_weeks():
    assert school_term(date(2026, 10, 5)).period.start == date(2026, 9, 1)
    assert school_term(date(2026, 12, 31)).period.end == date(2027, 1, 1)
    assert school_term(date(2027, 2, 1)).period.start == date(2027, 1, 1)
    assert school_term(date(2027, 3, 31)).period.end == date(2027, 4, 1)
    assert school_term(date(2027, 4, 1)).name == "Summer term 2027"
    assert week_start(date(2026, 12, 6)) == date(2026, 11, 30)  # a Sunday's Monday
    assert this_week(date(2026, 11, 30)).start == date(2026, 11, 30)


def test_the_dashboard_counts_reach_and_this_week_against_last(staff_client, world):
    response = staff_client(admin_of(world.school)).get(_url(world.school))
    assert response.status_code == 200
    context = response.context
    assert context["reach"] == {"pupils": 4, "reached": 3}
    assert context["reach_percent"] == 75
    # Families this week / last week depend on where in the week "2 days ago" falls.
    two_days_ago = timezone.localdate() - timedelta(days=2)
    in_this_week = two_days_ago >= week_start(timezone.localdate())
    assert context["weeks"]["active"] == {
        "this_week": 1 if in_this_week else 0,
        "last_week": 0 if in_this_week else 1,
    }
    (robins,) = context["classes"]
    assert (robins["name"], robins["pupils"], robins["reached"]) == ("Robins", 4, 3)
    (year_three,) = context["year_groups"]
    assert year_three["name"] == YearGroup.Y3.label
    never = [parent.first_name for parent in context["never_active"]]
    assert never == ["ParentCara"]
    page = response.content.decode()
    assert "ParentCara" in page and "Cara" in page


def test_weekly_families_count_each_parent_once_a_week_and_never_staff(staff_client, world):
    parent = world.parents["silent"]
    today = timezone.localdate()
    event(parent, world.silent, days_ago=0)
    event(parent, world.silent, days_ago=0)
    event(world.teacher, world.silent, days_ago=0)
    response = staff_client(admin_of(world.school)).get(_url(world.school))
    weeks = {week.monday: week.value for week in response.context["weekly_families"]}
    this_monday = week_start(today)
    if this_monday >= school_term(today).period.start:
        expected = 1 + (1 if today - timedelta(days=2) >= this_monday else 0)
        assert weeks[this_monday] == expected


def test_the_invitation_funnel(staff_client, world):
    accepted = _invitation(world.school, Invitation.Status.ACCEPTED)
    accepted.accepted_by = world.parents["active"]
    accepted.save()
    quiet = _invitation(world.school, Invitation.Status.ACCEPTED)
    quiet.accepted_by = world.parents["silent"]
    quiet.save()
    _invitation(world.school, Invitation.Status.DELIVERED)
    _invitation(world.school, Invitation.Status.SENT)
    _invitation(world.school, Invitation.Status.BOUNCED)
    response = staff_client(admin_of(world.school)).get(_url(world.school))
    assert response.context["funnel"] == {"invited": 5, "delivered": 3, "joined": 2, "active": 1}


def test_topics_by_use(staff_client, world):
    response = staff_client(admin_of(world.school)).get(_url(world.school))
    most = response.context["most_used"]
    assert [(topic.title, topic.completions, topic.openings) for topic in most] == [
        ("Minibeasts", 1, 1)
    ]


def test_only_the_schools_admins_open_it(staff_client, client, world):
    assert staff_client(world.teacher).get(_url(world.school)).status_code == 404
    other_admin = admin_of(SchoolClassFactory().school)
    assert staff_client(other_admin).get(_url(world.school)).status_code == 404
    client.force_login(world.parents["active"])
    assert client.get(_url(world.school)).status_code == 404


def test_the_school_overview_and_navigation_link_to_it(staff_client, world):
    admin = admin_of(world.school)
    page = staff_client(admin).get(reverse("schools:school_overview", args=[world.school.pk]))
    assert _url(world.school) in page.content.decode()
    teacher_page = staff_client(world.teacher).get(reverse("schools:teacher_classes"))
    assert reverse("engagement:teacher_dashboard") in teacher_page.content.decode()


@pytest.mark.parametrize("size", [1, 30])
def test_the_dashboard_query_count_does_not_grow(staff_client, num_queries, size):
    world = build_world()
    more_families(world.robins, size)
    other = SchoolClassFactory(school=world.school, name=f"Class{size}")
    more_families(other, size, start=100)
    for index in range(size):
        _invitation(world.school, Invitation.Status.DELIVERED)
        family(other, f"Never{index}")
        event(UserFactory(), world.active, days_ago=index % 20)
    client = staff_client(admin_of(world.school))
    client.get(_url(world.school))
    # 14: the class and year-group rows come from one query grouped by both, the
    # school's reach is added up from the class rows, this week and last are read
    # from the term's weekly figures -- unless one of them lies outside the term
    # (its first or last week), when two more queries count them -- and the page of
    # families never active carries its own total (engagement.paging).
    term = school_term(school_today())
    inside = term.period.start <= last_week().start and this_week().end <= term.period.end
    num_queries(client, _url(world.school), 14 if inside else 16)


def test_this_week_and_last_read_from_the_weeks_agree_with_counting_them(world):
    """The dashboard reads this week and last from the term's weekly figures when
    both lie inside the term; counted directly they are the same numbers."""
    term = Term("Two weeks", Period(last_week().start, this_week().end))

    read = families_this_week_and_last(
        school=world.school,
        term=term,
        weekly_families=weekly_active_families(school=world.school, term=term),
        weekly_completions=weekly_completions(school=world.school, term=term),
    )
    counted = families_this_week_and_last(school=world.school)

    assert read == counted
    assert counted["active"]["this_week"] > 0
    assert counted["completions"]["this_week"] + counted["completions"]["last_week"] > 0
