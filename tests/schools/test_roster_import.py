"""Applying a roster: what is created, matched, updated, removed, and that it is all-or-nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.lookup import mobile_lookup_hash, upn_lookup_hash
from accounts.models import User
from schools.models import Guardianship, Pupil, SchoolClass, YearGroup, current_academic_year
from schools.services import roster_apply, roster_check
from tests.factories import GuardianshipFactory, PupilFactory, SchoolFactory, UserFactory
from tests.schools.roster_files import roster, row, upn

pytestmark = pytest.mark.django_db


def apply(school, content, remove_missing=False):
    return roster_apply(school=school, content=content, remove_missing=remove_missing, actor=None)


FAMILY = roster(
    row(1, first="Amy", last="Smith", year="3", school_class="3S", pupil_premium="Y",
        contact_first="Jane", contact_last="Smith", email="Jane.Smith@Example.org",
        mobile="07911 123456", relationship="Mother", responsibility="Y"),
    row(1, first="Amy", last="Smith", year="3", school_class="3S", pupil_premium="Y",
        contact_first="John", contact_last="Smith", mobile="07912 345678",
        relationship="Father", responsibility="N"),
    row(2, first="Ben", last="Smith", year="R", school_class="RB",
        contact_first="Jane", contact_last="Smith", email="jane.smith@example.org",
        relationship="Mother", responsibility="Y"),
    row(3, first="Cara", last="Jones", year="3", school_class="3S"),
)  # fmt: skip


def test_first_import_creates_pupils_classes_inactive_parents_and_unconfirmed_links(school):
    result = apply(school, FAMILY)

    assert result.summary["pupils_create"] == 3
    assert result.summary["classes_create"] == 2
    assert result.summary["parents_create"] == 2
    assert result.summary["links_create"] == 3
    assert result.errors == []

    amy = Pupil.objects.get(school=school, first_name="Amy")
    assert amy.upn == upn(1)
    assert amy.upn_hash == upn_lookup_hash(upn(1))
    assert (amy.year_group, amy.pupil_premium) == (YearGroup.Y3, True)
    assert amy.school_class.name == "3S"
    assert amy.school_class.academic_year == current_academic_year()
    classes = dict(SchoolClass.objects.filter(school=school).values_list("name", "year_group"))
    assert classes == {"3S": YearGroup.Y3, "RB": YearGroup.RECEPTION}

    jane = User.objects.get(email="jane.smith@example.org")
    assert (jane.first_name, jane.last_name) == ("Jane", "Smith")
    assert jane.mobile == "+447911123456"
    assert jane.mobile_hash == mobile_lookup_hash("+447911123456")
    assert jane.is_active is False
    assert jane.has_usable_password() is False
    john = User.objects.get(mobile="+447912345678")
    assert john.email is None
    assert john.mobile_hash == mobile_lookup_hash("+447912345678")

    links = Guardianship.objects.filter(pupil__school=school)
    assert set(links.values_list("confirmed_at", flat=True)) == {None}
    assert set(links.filter(parent=jane).values_list("pupil__first_name", flat=True)) == {
        "Amy",
        "Ben",
    }
    father = links.get(parent=john)
    assert (father.relationship, father.parental_responsibility) == ("Father", False)


def _snapshot():
    return {
        "pupils": list(Pupil.objects.order_by("pk").values_list("pk", "updated_at")),
        "users": User.objects.count(),
        "classes": SchoolClass.objects.count(),
        "links": list(
            Guardianship.objects.order_by("pk").values_list(
                "pk", "relationship", "parental_responsibility"
            )
        ),
    }


def test_reimporting_the_same_file_changes_nothing(school):
    apply(school, FAMILY)
    before = _snapshot()

    result = apply(school, FAMILY)

    assert result.changes == 0
    assert result.summary["pupils_create"] == 0
    assert result.summary["pupils_update"] == 0
    assert result.summary["pupils_unchanged"] == 3
    assert result.summary["links_unchanged"] == 3
    assert _snapshot() == before


def test_siblings_sharing_an_email_in_different_case_get_one_parent_with_two_children(school):
    apply(
        school,
        roster(
            row(1, first="Amy", email="PAT@example.org"),
            row(2, first="Ben", email="pat@EXAMPLE.org"),
        ),
    )

    parent = User.objects.get(email="pat@example.org")
    assert User.objects.count() == 1
    assert set(parent.guardianships.values_list("pupil__first_name", flat=True)) == {"Amy", "Ben"}


def test_siblings_sharing_a_mobile_in_different_uk_formats_get_one_parent(school):
    apply(
        school,
        roster(
            row(1, first="Amy", mobile="07911 123456"),
            row(2, first="Ben", mobile="+44 (0)7911 123456"),
            row(3, first="Cal", mobile="447911123456"),
        ),
    )

    parent = User.objects.get()
    assert parent.mobile == "+447911123456"
    assert parent.guardianships.count() == 3


def test_an_existing_account_is_matched_by_email_case_insensitively_and_left_as_it_is(school):
    existing = UserFactory(email="pat@example.org", first_name="Patricia", last_name="Old")

    result = apply(
        school,
        roster(row(1, contact_first="Pat", contact_last="New", email="PAT@Example.org",
                   mobile="07911 123456")),
    )  # fmt: skip

    existing.refresh_from_db()
    assert result.summary["parents_create"] == 0
    assert result.summary["parents_existing"] == 1
    assert User.objects.count() == 1
    assert (existing.first_name, existing.last_name, existing.mobile) == ("Patricia", "Old", "")
    assert existing.is_active is True
    assert existing.guardianships.get().pupil.upn == upn(1)


def test_an_existing_account_is_matched_by_mobile_when_no_email_matches(school):
    existing = UserFactory(email=None, mobile="+447911123456", first_name="Sam")

    result = apply(school, roster(row(1, contact_first="Samuel", mobile="07911 123456")))

    existing.refresh_from_db()
    assert result.summary["parents_create"] == 0
    assert User.objects.count() == 1
    assert existing.first_name == "Sam"
    assert existing.guardianships.count() == 1


def test_changed_pupil_details_are_updated(school):
    apply(school, FAMILY)
    amy = Pupil.objects.get(first_name="Amy")
    changed = FAMILY.replace(b"Amy,Smith,3,3S,Y", b"Amelia,Smith-Lee,4,4L,N")

    result = apply(school, changed)

    amy.refresh_from_db()
    assert result.summary["pupils_update"] == 1
    assert result.summary["pupils_unchanged"] == 2
    assert result.summary["classes_create"] == 1
    assert (amy.first_name, amy.last_name, amy.year_group) == ("Amelia", "Smith-Lee", 4)
    assert (amy.school_class.name, amy.pupil_premium) == ("4L", False)


def test_columns_missing_from_the_file_leave_those_fields_alone(school):
    apply(school, FAMILY)

    result = apply(
        school,
        roster(f"{upn(1)},Amy,Smith,jane.smith@example.org", header="UPN,Forename,Surname,Email"),
    )

    amy = Pupil.objects.get(first_name="Amy")
    assert result.summary["pupils_unchanged"] == 1
    assert result.changes == 0
    assert (amy.year_group, amy.school_class.name, amy.pupil_premium) == (3, "3S", True)
    assert amy.guardianships.get(parent__email="jane.smith@example.org").relationship == "Mother"


def test_relationship_and_responsibility_are_updated_and_confirmation_kept(school):
    pupil = PupilFactory(school=school, upn=upn(1), first_name="Amy", last_name="Smith")
    link = GuardianshipFactory(
        pupil=pupil, parent__email="pat@example.org", relationship="Carer",
        parental_responsibility=False,
    )  # fmt: skip
    confirmed_at = link.confirmed_at

    result = apply(
        school,
        roster(row(1, school_class=pupil.school_class.name, email="pat@example.org",
                   relationship="Grandmother", responsibility="Y")),
    )  # fmt: skip

    link.refresh_from_db()
    assert result.summary["links_update"] == 1
    assert result.summary["links_create"] == 0
    assert (link.relationship, link.parental_responsibility) == ("Grandmother", True)
    assert link.confirmed_at == confirmed_at


def test_remove_missing_marks_absent_pupils_as_removed_and_deletes_nothing(school):
    apply(school, FAMILY)
    other_school_pupil = PupilFactory(upn=upn(3))
    without_cara = roster(*FAMILY.decode().splitlines()[1:4])

    result = apply(school, without_cara, remove_missing=True)

    assert result.summary["pupils_remove"] == 1
    cara = Pupil.objects.get(school=school, first_name="Cara")
    assert cara.removed_by_school_at is not None
    assert Pupil.objects.filter(school=school).count() == 3
    assert Pupil.objects.filter(school=school, removed_by_school_at__isnull=True).count() == 2
    other_school_pupil.refresh_from_db()
    assert other_school_pupil.removed_by_school_at is None


def test_without_remove_missing_absent_pupils_stay_on_roll(school):
    apply(school, FAMILY)

    result = apply(school, roster(*FAMILY.decode().splitlines()[1:4]))

    assert result.summary["pupils_remove"] == 0
    assert not Pupil.objects.filter(removed_by_school_at__isnull=False).exists()


def test_remove_missing_spares_a_pupil_whose_row_has_an_error(school):
    apply(school, FAMILY)

    result = apply(
        school,
        roster(*FAMILY.decode().splitlines()[1:4], row(3, first="Cara", last="Jones", year="99")),
        remove_missing=True,
    )

    assert result.summary["pupils_remove"] == 0
    assert result.errors[0].line == 5
    assert Pupil.objects.get(first_name="Cara").removed_by_school_at is None


def test_a_removed_pupil_who_reappears_is_put_back_on_roll(school):
    apply(school, FAMILY)
    Pupil.objects.filter(first_name="Cara").update(removed_by_school_at=timezone.now())

    result = apply(school, FAMILY)

    assert result.summary["pupils_update"] == 1
    assert Pupil.objects.get(first_name="Cara").removed_by_school_at is None


def test_pupils_are_matched_within_the_school_only(school):
    elsewhere = PupilFactory(upn=upn(1), first_name="Other")

    result = apply(school, roster(row(1)))

    elsewhere.refresh_from_db()
    assert result.summary["pupils_create"] == 1
    assert elsewhere.first_name == "Other"
    assert Pupil.objects.get(school=school).first_name == "Amy"


def test_rows_with_errors_are_skipped_and_the_rest_applied(school):
    result = apply(school, roster(row(1), row(2, upn_text="X123"), row(3, first="Cara")))

    assert [issue.line for issue in result.errors] == [3]
    assert set(Pupil.objects.values_list("first_name", flat=True)) == {"Amy", "Cara"}


def test_a_failure_part_way_through_applying_writes_nothing(school, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Guardianship.objects, "bulk_create", fail)

    with pytest.raises(RuntimeError):
        apply(school, FAMILY)

    assert Pupil.objects.count() == 0
    assert SchoolClass.objects.count() == 0
    assert User.objects.count() == 0


def test_a_dry_run_writes_nothing(school):
    result = roster_check(school=school, content=FAMILY, remove_missing=True)

    assert result.summary["pupils_create"] == 3
    assert result.applied is False
    assert Pupil.objects.count() == 0
    assert User.objects.count() == 0


def _family_rows(count: int) -> bytes:
    rows = []
    for serial in range(count):
        email = f"parent{serial // 2}@example.org"
        rows.append(row(serial, first=f"Pupil{serial}", school_class=f"C{serial % 3}", email=email))
        rows.append(row(serial, first=f"Pupil{serial}", school_class=f"C{serial % 3}",
                        mobile=f"07911 {100000 + serial}"))  # fmt: skip
    return roster(*rows)


@pytest.mark.parametrize("remove_missing", [False, True])
def test_the_number_of_queries_does_not_grow_with_the_file(school, remove_missing):
    def queries_for(count: int) -> int:
        target = SchoolFactory()
        content = _family_rows(count)
        with CaptureQueriesContext(connection) as first:
            apply(target, content, remove_missing)
        with CaptureQueriesContext(connection) as again:
            apply(target, content, remove_missing)
        return len(first), len(again)

    assert queries_for(3) == queries_for(40)


def test_command_prints_the_summary_with_errors_and_line_numbers(school, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(roster(row(1, email="pat@example.org"), row(2, year="Year 20")))
    out = StringIO()

    call_command("import_roster", "--school", "123456", str(path), stdout=out)

    text = out.getvalue()
    assert "pupils created: 1" in text
    assert "parents created: 1" in text
    assert "rows with errors (skipped): 1" in text
    assert "line 3: year group “Year 20”" in text
    assert Pupil.objects.filter(school=school).count() == 1


def test_command_dry_run_reports_and_changes_nothing(school, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(FAMILY)
    out = StringIO()

    call_command("import_roster", "--school", "123456", str(path), "--dry-run", stdout=out)

    assert "Dry run" in out.getvalue()
    assert "pupils to create: 3" in out.getvalue()
    assert Pupil.objects.count() == 0


def test_command_remove_missing_marks_absent_pupils(school, tmp_path):
    apply(school, FAMILY)
    path = tmp_path / "roster.csv"
    path.write_bytes(roster(*FAMILY.decode().splitlines()[1:2]))
    out = StringIO()

    call_command("import_roster", "--school", "123456", str(path), "--remove-missing", stdout=out)

    assert "pupils removed: 2" in out.getvalue()
    assert Pupil.objects.filter(removed_by_school_at__isnull=False).count() == 2


@pytest.mark.parametrize("rows, analysed", [(2, False), (4, True)])
def test_a_large_import_refreshes_the_planner_statistics_once_it_commits(
    school, settings, django_capture_on_commit_callbacks, monkeypatch, rows, analysed
):
    from schools.services import roster as applying

    settings.ROSTER_BACKGROUND_ROWS = 4
    refreshed = []
    monkeypatch.setattr(applying, "planner_statistics_refresh", lambda: refreshed.append(1))
    content = roster(*[row(n, first=f"Child{n}", last="Smith") for n in range(1, rows + 1)])

    with django_capture_on_commit_callbacks(execute=True):
        apply(school, content)

    assert bool(refreshed) is analysed


def test_refreshing_statistics_analyses_the_imported_tables_on_postgresql():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from schools.services.roster import planner_statistics_refresh

    with CaptureQueriesContext(connection) as queries:
        planner_statistics_refresh()

    statements = [query["sql"] for query in queries.captured_queries]
    if connection.vendor == "postgresql":
        assert statements == ['ANALYZE "accounts_user", "schools_pupil", "schools_guardianship"']
    else:
        assert statements == []
