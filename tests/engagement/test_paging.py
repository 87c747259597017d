"""The paginator that counts with the page it fetches: the same pages and totals
as Django's, in one query a page."""

import pytest

from accounts.models import User
from engagement.paging import CountingPaginator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    for index in range(7):
        UserFactory(last_name=f"Name{index}")
    return User.objects.filter(last_name__startswith="Name").order_by("last_name")


def test_a_page_and_its_total_cost_one_query(users, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = CountingPaginator(users, 3).get_page(2)
        names = [user.last_name for user in page]
        total, pages = page.paginator.count, page.paginator.num_pages

    assert names == ["Name3", "Name4", "Name5"]
    assert (total, pages) == (7, 3)
    assert page.has_previous() and page.has_next()


def test_the_last_page_a_page_past_the_end_and_nonsense_behave_as_djangos(users):
    last = CountingPaginator(users, 3).get_page(3)
    assert [user.last_name for user in last] == ["Name6"]
    assert not last.has_next()

    past = CountingPaginator(users, 3).get_page(9)
    assert past.number == 3 and [user.last_name for user in past] == ["Name6"]

    for nonsense in ("x", None, "0", "-1"):
        page = CountingPaginator(users, 3).get_page(nonsense)
        expected = 1 if nonsense in ("x", None) else 3
        assert page.number == expected, nonsense


def test_nothing_to_show_is_one_empty_first_page(django_assert_num_queries):
    page = CountingPaginator(User.objects.none().order_by("pk"), 3).get_page(1)

    assert list(page) == []
    assert page.paginator.count == 0
    assert page.number == 1
