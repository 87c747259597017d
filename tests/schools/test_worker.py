"""A large roster file is checked and applied by a real Celery worker, not in-process."""

import pytest
from django.conf import settings

from accounts.models import User
from schools.models import Guardianship, Pupil, RosterImport
from schools.services.roster_imports import roster_import_apply, roster_import_start
from tests.factories import SchoolFactory, admin_of, make_upn
from tests.schools.roster_files import roster, row

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

PUPILS = 600


def large_roster(pupils: int = PUPILS) -> bytes:
    """Siblings 2k and 2k+1 share a contact; every fifth pupil has a second contact."""
    rows = []
    for serial in range(pupils):
        family = serial // 2
        upn = make_upn(serial, establishment=7000 + serial // 1000)  # unique past 1,000
        rows.append(
            row(
                serial,
                upn_text=upn,
                first=f"Pupil{serial}",
                last=f"Family{family}",
                school_class=f"C{serial % 20}",
                contact_first="Parent",
                contact_last=f"Family{family}",
                email=f"family{family}@example.org",
                relationship="Mother",
                responsibility="Y",
            )
        )
        if serial % 5 == 0:
            rows.append(
                row(
                    serial,
                    upn_text=upn,
                    first=f"Pupil{serial}",
                    last=f"Family{family}",
                    school_class=f"C{serial % 20}",
                    contact_first="Carer",
                    contact_last=f"Other{serial}",
                    email=f"carer{serial}@example.org",
                    relationship="Carer",
                )
            )
    return roster(*rows)


def test_large_roster_is_checked_and_applied_by_a_real_worker(celery_worker):
    school = SchoolFactory()
    admin = admin_of(school)
    content = large_roster()
    rows = content.count(b"\n") - 1
    assert rows == PUPILS + PUPILS // 5
    assert rows > settings.ROSTER_BACKGROUND_ROWS

    roster_import = roster_import_start(
        school=school,
        file_name="mis-export.csv",
        content=content,
        remove_missing=False,
        actor=admin,
    )
    # Queued, not run in this process.
    assert roster_import.status == RosterImport.Status.CHECKING

    def status() -> str:
        return RosterImport.objects.values_list("status", flat=True).get(pk=roster_import.pk)

    celery_worker.wait_for(lambda: status() != RosterImport.Status.CHECKING, what="the check")
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.CHECKED, roster_import.file_error
    assert roster_import.summary["pupils_create"] == PUPILS
    assert roster_import.summary["errors"] == 0
    assert not Pupil.objects.filter(school=school).exists()  # a dry run changes nothing

    roster_import = roster_import_apply(roster_import=roster_import, actor=admin)
    assert roster_import.status == RosterImport.Status.APPLYING
    celery_worker.wait_for(lambda: status() != RosterImport.Status.APPLYING, what="the apply")
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.APPLIED, roster_import.file_error

    assert Pupil.objects.filter(school=school).count() == PUPILS
    parents = User.objects.filter(guardianships__pupil__school=school).distinct()
    assert parents.count() == PUPILS // 2 + PUPILS // 5
    siblings = Pupil.objects.filter(school=school, last_name="Family7")
    assert siblings.count() == 2
    shared = Guardianship.objects.filter(pupil__in=siblings, parent__email="family7@example.org")
    assert shared.count() == 2
    assert roster_import.applied_by == admin
    assert bytes(roster_import.content) == b""
