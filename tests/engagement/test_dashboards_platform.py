"""Platform staff's engagement overview in the admin: totals across schools, no
names, for the Platform staff group only; a query count that does not grow."""

import pytest
from django.urls import reverse

from tests.admin.platform_staff import platform_staff_member
from tests.engagement.dashboard_world import build_world, event, family, more_families
from tests.factories import SchoolClassFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("admin:engagement_overview")


def test_the_address_is_the_agreed_one():
    assert URL == "/admin/engagement/overview/"


def test_totals_across_schools_and_no_names(staff_client):
    world = build_world()
    other = SchoolClassFactory(name="Kestrels")
    pupil, parent = family(other, "Yusuf")
    event(parent, pupil, days_ago=1)
    family(other, "Zara")
    client = staff_client(platform_staff_member())
    response = client.get(URL)
    assert response.status_code == 200
    totals = response.context["totals"]
    # Oakfield: 4 pupils, 3 reached, 1 parent active this week; the other school: 2 of 2.
    assert (totals.schools, totals.pupils, totals.joined_parents) == (2, 6, 5)
    assert totals.weekly_active_families == 2
    assert (totals.completions, totals.completions_7_days) == (1, 1)
    assert totals.average_reach_percent == 87.5
    page = response.content.decode()
    for name in ("Oakfield", "Robins", "Kestrels", "Amara", "Yusuf", "ParentAmara", "Family"):
        assert name not in page
    assert world.parents["active"].email not in page


def test_the_admin_index_lists_it_for_platform_staff(staff_client):
    page = staff_client(platform_staff_member()).get(reverse("admin:index")).content.decode()
    assert URL in page


def test_staff_without_the_permission_and_school_staff_are_refused(staff_client):
    world = build_world()
    assert staff_client(UserFactory(is_staff=True)).get(URL).status_code in (302, 403)
    # Not staff of the platform: the admin sends them to its sign-in, nothing shown.
    response = staff_client(world.teacher).get(URL)
    assert response.status_code == 302
    assert "admin/login" in response["Location"]


@pytest.mark.parametrize("size", [1, 30])
def test_the_query_count_does_not_grow(staff_client, num_queries, size):
    world = build_world()
    more_families(world.robins, size)
    for _ in range(size):
        more_families(SchoolClassFactory(), 1)
    client = staff_client(platform_staff_member())
    client.get(URL)
    num_queries(client, URL, 11)
