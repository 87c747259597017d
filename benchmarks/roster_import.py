"""How fast the roster import runs on PostgreSQL, and whether its memory stays linear.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python benchmarks/roster_import.py [--pupils 2000] [--seed 1]

Generates a roster of 2,000 pupils (about 3,400 rows: siblings share contacts,
about 1.7 contacts per pupil), imports it into a school, then imports it again
unchanged. Prints rows per second for both, each also as a multiple of the time
merely to parse and validate the file (measured in the same run), and the peak
memory (tracemalloc) of importing the file and a file half its size. Targets:
first import >= 1,000 rows/s, unchanged re-import >= 3,000 rows/s, and memory
growing no faster than the rows themselves (full/half peak ratio <= 2.2).

The database is created and migrated if need be; the benchmark's own schools
(URNs 99000xx) and the parents it made are deleted before each run.
"""

import argparse
import gc
import os
import random
import sys
import time
import tracemalloc

from database import ensure_database, setup_django

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
EMAIL_DOMAIN = "roster-bench.example"
TARGET_FIRST_ROWS_PER_SECOND = 1_000
TARGET_REIMPORT_ROWS_PER_SECOND = 3_000
TARGET_MEMORY_RATIO = 2.2  # a file twice as long may take at most this much more memory

FIRST_NAMES = "Amelia Olivia Isla Ava Mia Noah Oliver George Arthur Leo Muhammad Harry Freya "
FIRST_NAMES += "Lily Grace Jack Oscar Charlie Sophia Ella Theo Alfie Ivy Rosie Archie Evie"
LAST_NAMES = "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Wright Khan Evans "
LAST_NAMES += "Thomas Roberts Walker Hughes Green Hall Wood Ahmed Clarke Lewis Begum Scott"
HEADER = (
    "UPN,Legal Forename,Legal Surname,NC Year,Reg Group,Pupil Premium,Contact Forename,"
    "Contact Surname,Contact Email,Contact Mobile,Relationship,Parental Responsibility"
)


def roster_file(*, pupils: int, namespace: int, seed: int) -> tuple[bytes, int]:
    """A roster of families: 1-3 siblings sharing 1 or 2 contacts (1.7 per pupil)."""
    import phonenumbers
    from stdnum.gb import upn as upn_check

    rng = random.Random(seed * 1000 + namespace)
    first_names, last_names = FIRST_NAMES.split(), LAST_NAMES.split()
    lines = [HEADER]
    serial = contact_serial = 0
    while serial < pupils:
        family = min(rng.choice([1, 1, 2, 2, 3]), pupils - serial)
        surname = rng.choice(last_names)
        contacts = []
        for relationship in ("Mother", "Father")[: 2 if rng.random() < 0.7 else 1]:
            contact_serial += 1
            email = mobile = ""
            if rng.random() < 0.85:
                email = f"parent{namespace}-{contact_serial}@{EMAIL_DOMAIN}"
                email = email.upper() if rng.random() < 0.1 else email
            if not email or rng.random() < 0.8:
                number = 7400_000000 + namespace * 100_000 + contact_serial
                mobile = f"0{number // 1_000_000} {number % 1_000_000:06d}"
                if rng.random() < 0.3:
                    mobile = "+44 " + mobile[1:]
                assert phonenumbers.is_valid_number(phonenumbers.parse(mobile, "GB")), mobile
            contacts.append((rng.choice(first_names), surname, email, mobile, relationship))
        for _ in range(family):
            serial += 1
            body = f"801{9000 + namespace * 10 + serial // 1000:04d}21{serial % 1000:03d}"
            upn = upn_check.calc_check_digit(body) + body
            year = rng.randint(0, 6)
            pupil = [
                upn,
                rng.choice(first_names),
                surname,
                "R" if year == 0 else f"Year {year}",
                f"{year or 'R'}{rng.choice('ABC')}",
                "Y" if rng.random() < 0.25 else "N",
            ]
            for first, last, email, mobile, relationship in contacts:
                lines.append(",".join([*pupil, first, last, email, mobile, relationship, "Y"]))
    return ("\r\n".join(lines) + "\r\n").encode(), len(lines) - 1


def bench_school(number: int):
    from schools.models import School

    school, _ = School.objects.get_or_create(
        urn=f"99000{number:02d}", defaults={"name": f"Roster Benchmark School {number}"}
    )
    return school


def clear_benchmark_data() -> None:
    from django.db import transaction
    from django.db.models import Q

    from accounts.models import User
    from schools.models import Guardianship, Pupil, RosterImport, School, SchoolClass

    with transaction.atomic():
        schools = School.objects.filter(urn__startswith="99000")
        parents = set(
            Guardianship.objects.filter(pupil__school__in=schools).values_list(
                "parent_id", flat=True
            )
        )
        Guardianship.objects.filter(pupil__school__in=schools).delete()
        Pupil.objects.filter(school__in=schools).delete()
        SchoolClass.objects.filter(school__in=schools).delete()
        RosterImport.objects.filter(school__in=schools).delete()
        User.objects.filter(pk__in=parents, is_active=False, guardianships__isnull=True).filter(
            Q(email__endswith=f"@{EMAIL_DOMAIN}") | Q(email__isnull=True)
        ).delete()


def timed(function, repeat: int = 1) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    return best, result


def peak_memory(function) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pupils", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()

    url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print("DATABASE_URL must point at PostgreSQL.", file=sys.stderr)
        return 2
    ensure_database(url)
    setup_django(url)

    from schools.roster.parsing import parse_roster
    from schools.services import roster_apply

    clear_benchmark_data()
    full, rows = roster_file(pupils=options.pupils, namespace=1, seed=options.seed)
    half_pupils = options.pupils // 2
    memory_full, memory_full_rows = roster_file(
        pupils=options.pupils, namespace=2, seed=options.seed
    )
    memory_half, memory_half_rows = roster_file(pupils=half_pupils, namespace=3, seed=options.seed)

    def importing(school, content):
        return lambda: roster_apply(school=school, content=content, remove_missing=True, actor=None)

    parse_seconds, parsed = timed(lambda: parse_roster(full), repeat=3)
    assert not parsed.errors, parsed.errors[:3]
    school = bench_school(1)
    first_seconds, first = timed(importing(school, full))
    again_seconds, again = timed(importing(school, full), repeat=3)
    assert first.summary["pupils_create"] == options.pupils, first.summary
    assert again.changes == 0, again.summary

    parse_peak = peak_memory(lambda: parse_roster(memory_full))
    full_peak = peak_memory(importing(bench_school(2), memory_full))
    half_peak = peak_memory(importing(bench_school(3), memory_half))
    clear_benchmark_data()

    first_rate, again_rate = rows / first_seconds, rows / again_seconds
    memory_ratio = full_peak / half_peak
    print(f"Roster import on PostgreSQL: {options.pupils:,} pupils, {rows:,} rows")
    summary = first.summary
    print(
        f"  first import created {summary['pupils_create']:,} pupils, "
        f"{summary['parents_create']:,} parents, {summary['links_create']:,} links, "
        f"{summary['classes_create']} classes"
    )
    print(f"  parse + validate only (baseline): {rows / parse_seconds:,.0f} rows/s")
    print(
        f"  first import:       {first_rate:,.0f} rows/s "
        f"({first_seconds / parse_seconds:.1f}x the baseline time)"
    )
    print(
        f"  unchanged re-import: {again_rate:,.0f} rows/s "
        f"({again_seconds / parse_seconds:.1f}x the baseline time)"
    )
    print(
        f"  peak memory: {full_peak / 1e6:.1f} MB for {memory_full_rows:,} rows, "
        f"{half_peak / 1e6:.1f} MB for {memory_half_rows:,} rows "
        f"(full/half {memory_ratio:.2f}; rows ratio {memory_full_rows / memory_half_rows:.2f}); "
        f"{full_peak / parse_peak:.1f}x the peak of parsing the file alone"
    )
    checks = [
        (f"first import >= {TARGET_FIRST_ROWS_PER_SECOND:,} rows/s", first_rate
         >= TARGET_FIRST_ROWS_PER_SECOND),
        (f"unchanged re-import >= {TARGET_REIMPORT_ROWS_PER_SECOND:,} rows/s", again_rate
         >= TARGET_REIMPORT_ROWS_PER_SECOND),
        (f"memory grows with the rows only (full/half <= {TARGET_MEMORY_RATIO})", memory_ratio
         <= TARGET_MEMORY_RATIO),
    ]  # fmt: skip
    for label, held in checks:
        print(f"  {'PASS' if held else 'FAIL'}: {label}")
    return 0 if all(held for _, held in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
