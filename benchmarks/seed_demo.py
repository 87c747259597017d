"""How fast seed_demo fills PostgreSQL, and whether the cost per pupil stays flat.

    .venv/bin/python benchmarks/seed_demo.py [--small 2x1000] [--large 10x2000]

Runs seed_demo at a small and a large size against PostgreSQL (DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/portal_bench; the database is
created and migrated if need be), each time starting from no demo schools, then
the large size again over its own data (a second `make demo`). Prints pupils per
second, the ratio of the large run's cost per pupil to the small run's, also
without the fixed cost of a run (about 1.0 means it scales linearly), and
whether 20,000 pupils took under 120 s.
"""

import argparse
import os
import sys
import time
from io import StringIO

from database import ensure_database, setup_django

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
TARGET_PUPILS = 20_000
TARGET_SECONDS = 120.0


def size(text: str) -> tuple[int, int]:
    schools, _, pupils = text.partition("x")
    try:
        return int(schools), int(pupils)
    except ValueError:
        raise argparse.ArgumentTypeError("sizes look like 10x2000 (schools x pupils)") from None


def timed_seed(schools: int, pupils: int, *, fresh: bool) -> float:
    from django.core.management import call_command

    from demo.seeding import demo_data_clear

    if fresh:
        demo_data_clear()
    started = time.perf_counter()
    call_command(
        "seed_demo",
        "--schools",
        str(schools),
        "--pupils-per-school",
        str(pupils),
        "--seed",
        "1",
        stdout=StringIO(),
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=size, default=(2, 1000), help="default 2x1000")
    parser.add_argument("--large", type=size, default=(10, 2000), help="default 10x2000")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print(f"This benchmark measures PostgreSQL; DATABASE_URL is {url!r}.")
        return 2
    ensure_database(url)
    setup_django(url)
    print(f"seed_demo on {url.rpartition('@')[2]}")

    # The fixed part of a run (demo accounts, password hashing) measured on a tiny run,
    # so the ratio below compares what each pupil costs.
    fixed = min(timed_seed(1, 3, fresh=True) for _ in range(2))
    print(f"  fixed cost (1 school x 3 pupils): {fixed:.2f} s")
    runs = []
    for label, (schools, pupils), fresh in (
        ("small", args.small, True),
        ("large", args.large, True),
        ("large, again", args.large, False),
    ):
        seconds = timed_seed(schools, pupils, fresh=fresh)
        total = schools * pupils
        runs.append((label, total, seconds))
        print(
            f"  {label:<13} {schools:>3} schools x {pupils:>5} pupils = {total:>6} pupils: "
            f"{seconds:7.2f} s, {total / seconds:8.0f} pupils/s"
        )

    (_, small_pupils, small_seconds), (_, large_pupils, large_seconds) = runs[0], runs[1]
    ratio = (large_seconds / large_pupils) / (small_seconds / small_pupils)
    net_ratio = ((large_seconds - fixed) / large_pupils) / (
        max(small_seconds - fixed, 1e-6) / small_pupils
    )
    print(f"Cost per pupil, large / small: {ratio:.2f}; without the fixed cost: {net_ratio:.2f}")
    print("(about 1.0 = cost grows linearly with pupils; well above 1 = something is not)")
    passed = True
    if large_pupils >= TARGET_PUPILS:
        worst = max(seconds for _, _, seconds in runs[1:])
        passed = worst < TARGET_SECONDS
        verdict = "yes" if passed else "NO"
        print(
            f"{large_pupils} pupils in under {TARGET_SECONDS:.0f} s "
            f"(first run and re-run): {verdict} ({worst:.1f} s at worst)"
        )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
