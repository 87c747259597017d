"""The invitation tracker reads its first page from an index in its own order,
instead of reading and sorting every invitation of the school to show 50."""

import pytest
from django.db import connection

from invitations.models import Invitation
from invitations.selectors import invitations_for_school
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        # An empty test table is scanned whole whatever the indexes; ask what it would use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_an_index_follows_the_trackers_order():
    order = [
        name.replace("pk", "id")
        for name in invitations_for_school(school=SchoolFactory()).query.order_by
    ]

    indexed = [index.fields for index in Invitation._meta.indexes]

    assert ["school", *order] in indexed


def test_the_trackers_page_is_read_in_index_order_without_sorting():
    school = SchoolFactory()
    page = invitations_for_school(school=school).prefetch_related(None)[:50]

    plan = _plan(page)

    assert "invitation_school_new_idx" in plan
    assert "TEMP B-TREE" not in plan  # SQLite's sort
    assert "Sort" not in plan.split("\n")[0]  # PostgreSQL's
