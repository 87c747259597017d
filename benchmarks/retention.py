"""How long the daily retention task takes and how much memory it needs, at scale,
against hand-written SQL doing the same to the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_retention \\
        .venv/bin/python benchmarks/retention.py \\
        [--schools 10] [--pupils-per-school 2000] [--events-per-pupil 100] [--seed-first] [--keep]

The database named by DATABASE_URL (default ``portal_bench_retention``) is created,
migrated and seeded with ``seed_demo`` at the size asked (10 schools x 2,000
pupils x 100 events by default: 20,000 pupils, about 2 million events) when it
does not hold that many demo pupils yet (``--seed-first`` seeds again anyway). It
is never changed after that: each measurement runs in a copy of it
(``CREATE DATABASE ... TEMPLATE``), dropped at the end unless ``--keep``.

In each copy, the same preparation (SQL): every parent who joined has signed in
at some point in the last 320 days, and one parent in ten is due: a third for a
closure notice (inactive 340 days), a third for closing (inactive 370 days,
noticed 35 days ago), a third for deletion (closed 95 days ago, hold ended). One
pupil in forty was removed by the school 120 days ago and its parents' links
ended 100 days ago (due for anonymising, with the contacts that never joined).
And one family, a parent and their only child (removed by the school), gets
5,000 events.

Measured, in the first copy, in a process of its own (so its peak memory is the
run's): one ``retention_run()`` (wall time, statements, peak RSS from
``resource.getrusage``, against the same process before the run), then erasing
the family (``user_erase``). In the second copy, the baseline: the same rows
found and changed with hand-written SQL, one statement per table. Targets: run
under 60 s, peak memory under 300 MB, the family erased in under 1 s.

Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

from database import ensure_database, setup_django

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_retention"
TARGET_RUN_SECONDS = 60.0
TARGET_PEAK_MB = 300.0
TARGET_FAMILY_SECONDS = 1.0
FAMILY_EVENTS = 5000

# --- The state every copy starts from ---------------------------------------------

PREPARE = """
CREATE TEMP TABLE bench_parents AS
SELECT u.id FROM accounts_user u
WHERE u.is_active AND NOT u.is_staff AND NOT u.is_superuser AND u.closed_at IS NULL
  AND EXISTS (SELECT 1 FROM schools_guardianship g
              WHERE g.parent_id = u.id AND g.confirmed_at IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM accounts_membership m WHERE m.user_id = u.id);

UPDATE accounts_user u
SET last_login = now() - make_interval(days => (u.id % 320)::int),
    last_active_at = now() - make_interval(days => (u.id % 320)::int),
    date_joined = least(u.date_joined, now() - make_interval(days => (u.id % 320)::int)),
    closure_notice_at = NULL
FROM bench_parents b WHERE b.id = u.id;

-- One parent in ten is due: notice, closing or deletion by turns.
UPDATE accounts_user u
SET last_login = now() - interval '340 days', last_active_at = now() - interval '340 days',
    date_joined = least(u.date_joined, now() - interval '340 days')
FROM bench_parents b WHERE b.id = u.id AND u.id % 10 = 0 AND (u.id / 10) % 3 = 0;

UPDATE accounts_user u
SET last_login = now() - interval '370 days', last_active_at = now() - interval '370 days',
    date_joined = least(u.date_joined, now() - interval '370 days'),
    closure_notice_at = now() - interval '35 days'
FROM bench_parents b WHERE b.id = u.id AND u.id % 10 = 0 AND (u.id / 10) % 3 = 1;

UPDATE accounts_user u
SET closed_at = now() - interval '95 days', delete_after = now() - interval '5 days',
    is_active = false
FROM bench_parents b WHERE b.id = u.id AND u.id % 10 = 0 AND (u.id / 10) % 3 = 2;

-- One pupil in forty left the school 120 days ago; their parents' links ended at 100.
UPDATE schools_pupil SET removed_by_school_at = now() - interval '120 days'
WHERE id % 40 = 0 AND anonymised_at IS NULL AND removed_by_school_at IS NULL;
UPDATE schools_guardianship SET ended_at = now() - interval '100 days'
WHERE pupil_id % 40 = 0 AND ended_at IS NULL;
"""

# A parent still in use whose child no one else holds, with 5,000 events.
FAMILY = """
SELECT g.parent_id, g.pupil_id, p.school_id
FROM schools_guardianship g
JOIN bench_parents b ON b.id = g.parent_id
JOIN schools_pupil p ON p.id = g.pupil_id
WHERE g.parent_id % 10 <> 0 AND g.pupil_id % 40 <> 0 AND g.confirmed_at IS NOT NULL
  AND p.anonymised_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM schools_guardianship o
                  WHERE o.pupil_id = g.pupil_id AND o.parent_id <> g.parent_id)
  AND (SELECT count(*) FROM schools_guardianship s WHERE s.parent_id = g.parent_id) = 1
ORDER BY g.parent_id LIMIT 1
"""

FAMILY_PREPARE = """
UPDATE schools_pupil SET removed_by_school_at = now() - interval '1 day' WHERE id = %(pupil)s;
INSERT INTO engagement_event (kind, subject, at, actor_id, pupil_id, school_id)
SELECT 'activity_opened', 'activity:' || (n %% 50), now() - make_interval(mins => n::int),
       %(parent)s, %(pupil)s, %(school)s
FROM generate_series(1, greatest(%(events)s::int - (SELECT count(*)::int FROM engagement_event
                                                WHERE actor_id = %(parent)s), 0)) AS n;
ANALYZE;
"""

# --- The baseline: the same rows, one hand-written statement per table ------------

IN_USE = """
u.is_active AND u.closed_at IS NULL AND u.last_login IS NOT NULL AND NOT u.is_staff
AND NOT u.is_superuser AND NOT u.processing_restricted
AND NOT EXISTS (SELECT 1 FROM accounts_membership m WHERE m.user_id = u.id)
"""
ACTIVITY = (
    "greatest(coalesce(u.last_active_at, u.date_joined), coalesce(u.last_login, u.date_joined))"
)

RUN_SETS = f"""
CREATE TEMP TABLE due_notice AS SELECT u.id FROM accounts_user u WHERE {IN_USE}
  AND {ACTIVITY} <= now() - interval '335 days'
  AND (u.closure_notice_at IS NULL OR u.closure_notice_at < {ACTIVITY});
CREATE TEMP TABLE due_close AS SELECT u.id FROM accounts_user u WHERE {IN_USE}
  AND {ACTIVITY} <= now() - interval '365 days' AND u.closure_notice_at >= {ACTIVITY}
  AND u.closure_notice_at <= now() - interval '30 days';
CREATE TEMP TABLE due_user AS SELECT id FROM accounts_user
  WHERE closed_at IS NOT NULL AND delete_after <= now();
CREATE TEMP TABLE due_pupil AS SELECT p.id FROM schools_pupil p
WHERE p.removed_by_school_at IS NOT NULL AND p.anonymised_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM schools_guardianship g JOIN accounts_user u ON u.id = g.parent_id
                  WHERE g.pupil_id = p.id AND g.confirmed_at IS NOT NULL AND g.ended_at IS NULL
                    AND u.is_active AND u.closed_at IS NULL)
  AND (p.id IN (SELECT g.pupil_id FROM schools_guardianship g JOIN due_user d ON d.id = g.parent_id)
       OR greatest(p.removed_by_school_at,
                   coalesce((SELECT max(g.ended_at) FROM schools_guardianship g
                             WHERE g.pupil_id = p.id AND g.confirmed_at IS NOT NULL),
                            p.removed_by_school_at),
                   coalesce((SELECT max(u.closed_at) FROM schools_guardianship g
                             JOIN accounts_user u ON u.id = g.parent_id
                             WHERE g.pupil_id = p.id AND g.confirmed_at IS NOT NULL
                               AND g.ended_at IS NULL), p.removed_by_school_at))
          <= now() - interval '90 days');
ANALYZE due_notice;
ANALYZE due_close;
ANALYZE due_user;
ANALYZE due_pupil;
"""

CONTACTS_SET = """
INSERT INTO due_user SELECT u.id FROM accounts_user u
WHERE NOT u.is_active AND u.last_login IS NULL AND u.closed_at IS NULL AND NOT u.is_staff
  AND NOT u.is_superuser AND u.password LIKE '!%%'
  AND NOT EXISTS (SELECT 1 FROM accounts_membership m WHERE m.user_id = u.id)
  AND NOT EXISTS (SELECT 1 FROM schools_guardianship g WHERE g.parent_id = u.id);
"""

NOTICES_AND_CLOSURES = """
INSERT INTO notifications_message (to_address, channel, kind, template, subject, body_text,
    body_html, status, attempts, provider_id, last_error, idempotency_key, created_at,
    recipient_id, reference)
SELECT a.address, a.channel, 'service', 'account_closing', 'Your account will close',
       'Your account will close in 30 days unless you sign in.', '', 'pending', 0, '', '',
       'bench-notice:' || a.id || ':' || a.channel, now(), a.id, 'closure-notice:' || a.id
FROM (SELECT u.id, 'email' AS channel, u.email AS address FROM accounts_user u
      JOIN due_notice d ON d.id = u.id WHERE u.email IS NOT NULL
      UNION ALL
      SELECT u.id, 'sms', u.mobile FROM accounts_user u
      JOIN due_notice d ON d.id = u.id WHERE u.mobile <> '') a;
UPDATE accounts_user SET closure_notice_at = now() WHERE id IN (SELECT id FROM due_notice);
UPDATE accounts_user SET closed_at = now(), delete_after = now() + interval '90 days',
    is_active = false WHERE id IN (SELECT id FROM due_close);
UPDATE notifications_message SET status = 'cancelled'
WHERE status = 'pending' AND recipient_id IN (SELECT id FROM due_close);
DELETE FROM usersessions_usersession WHERE user_id IN (SELECT id FROM due_close);
INSERT INTO audit_auditentry (at, action, subject_type, subject_id, changes)
SELECT now(), 'user.close', 'accounts.user', id::text, '{"reason": "inactive"}' FROM due_close;
"""

PUPILS_ERASE = """
UPDATE schools_pupil SET first_name = '', last_name = '', upn = '', upn_hash = NULL,
    school_class_id = NULL, anonymised_at = now() WHERE id IN (SELECT id FROM due_pupil);
DELETE FROM schools_guardianship WHERE pupil_id IN (SELECT id FROM due_pupil);
UPDATE engagement_event SET actor_id = NULL
WHERE pupil_id IN (SELECT id FROM due_pupil) AND actor_id IS NOT NULL;
UPDATE learning_completion SET completed_by_id = NULL
WHERE pupil_id IN (SELECT id FROM due_pupil) AND completed_by_id IS NOT NULL;
UPDATE learning_feedback SET comment = '', photo = '', parent_id = NULL
WHERE pupil_id IN (SELECT id FROM due_pupil);
DELETE FROM learning_award WHERE pupil_id IN (SELECT id FROM due_pupil);
DELETE FROM accounts_invitation_pupils WHERE pupil_id IN (SELECT id FROM due_pupil);
UPDATE privacy_privacyrequest SET details = '', outcome = '', redacted_at = now(),
    subject_pupil_id = NULL WHERE subject_pupil_id IN (SELECT id FROM due_pupil);
INSERT INTO audit_auditentry (at, action, subject_type, subject_id, changes)
SELECT now(), 'pupil.anonymise', 'schools.pupil', id::text, '{}' FROM due_pupil;
"""

USERS_ERASE = """
UPDATE audit_auditentry SET changes = '{"redacted": true}', redacted_at = now()
WHERE actor_id IN (SELECT id FROM due_user)
   OR (subject_type = 'accounts.user' AND subject_id IN (SELECT id::text FROM due_user));
UPDATE accounts_user SET first_name = '', last_name = '', email = NULL, mobile = '',
    mobile_hash = '', is_active = false, password = '!', delete_after = NULL,
    closed_at = coalesce(closed_at, now()) WHERE id IN (SELECT id FROM due_user);
DELETE FROM accounts_membership WHERE user_id IN (SELECT id FROM due_user);
DELETE FROM accounts_mobilechange WHERE user_id IN (SELECT id FROM due_user);
DELETE FROM account_emailaddress WHERE user_id IN (SELECT id FROM due_user);
DELETE FROM usersessions_usersession WHERE user_id IN (SELECT id FROM due_user);
DELETE FROM otp_totp_totpdevice WHERE user_id IN (SELECT id FROM due_user);
DELETE FROM otp_static_staticdevice WHERE user_id IN (SELECT id FROM due_user);
DELETE FROM audit_securityevent WHERE user_id IN (SELECT id FROM due_user);
DELETE FROM consent_consentrecord WHERE user_id IN (SELECT id FROM due_user);
UPDATE engagement_event SET actor_id = NULL WHERE actor_id IN (SELECT id FROM due_user);
DELETE FROM engagement_engagementday WHERE parent_id IN (SELECT id FROM due_user);
DELETE FROM engagement_nudge WHERE parent_id IN (SELECT id FROM due_user);
DELETE FROM accounts_invitation WHERE parent_id IN (SELECT id FROM due_user)
    OR accepted_by_id IN (SELECT id FROM due_user);
DELETE FROM invitations_claimcode WHERE user_id IN (SELECT id FROM due_user);
UPDATE learning_completion SET completed_by_id = NULL
WHERE completed_by_id IN (SELECT id FROM due_user);
UPDATE learning_feedback SET comment = '', photo = '', parent_id = NULL
WHERE parent_id IN (SELECT id FROM due_user);
DELETE FROM notifications_message WHERE recipient_id IN (SELECT id FROM due_user);
DELETE FROM notifications_notificationpreference WHERE user_id IN (SELECT id FROM due_user);
UPDATE privacy_privacyrequest SET details = '', outcome = '', redacted_at = now(),
    requester_id = NULL, subject_user_id = NULL
WHERE requester_id IN (SELECT id FROM due_user) OR subject_user_id IN (SELECT id FROM due_user);
DELETE FROM schools_guardianship WHERE parent_id IN (SELECT id FROM due_user);
DELETE FROM schools_schoolclass_teachers WHERE user_id IN (SELECT id FROM due_user);
INSERT INTO audit_auditentry (at, action, subject_type, subject_id, changes)
SELECT now(), 'user.erase', 'accounts.user', id::text, '{}' FROM due_user;
"""

FAMILY_SETS = """
CREATE TEMP TABLE due_user AS SELECT %(parent)s::bigint AS id;
CREATE TEMP TABLE due_pupil AS SELECT %(pupil)s::bigint AS id;
ANALYZE due_user;
ANALYZE due_pupil;
"""


def _statements(script: str) -> list[str]:
    return [part.strip() for part in script.split(";\n") if part.strip()]


def _sql_seconds(url: str, scripts: list[str], params: dict | None = None) -> tuple[float, int]:
    """Run ``scripts`` in one transaction; (seconds, statements)."""
    import psycopg

    statements = [s for script in scripts for s in _statements(script)]
    with psycopg.connect(url) as connection:
        started = time.perf_counter()
        with connection.transaction():
            for statement in statements:
                connection.execute(statement, params or {})
        return time.perf_counter() - started, len(statements)


# --- The copies ----------------------------------------------------------------------


def _copy(url: str, suffix: str) -> str:
    import psycopg

    base, _, name = url.rpartition("/")
    copy = f"{name}_{suffix}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        connection.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
    return f"{base}/{copy}"


def _drop(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _prepare(url: str) -> dict:
    """Put the copy in the state described above; the family it chose."""
    import psycopg

    with psycopg.connect(url) as connection, connection.transaction():
        for statement in _statements(PREPARE):
            connection.execute(statement)
        row = connection.execute(FAMILY).fetchone()
        if row is None:
            raise SystemExit("No family fits (a joined parent with one child of their own).")
        family = {"parent": row[0], "pupil": row[1], "school": row[2], "events": FAMILY_EVENTS}
        for statement in _statements(FAMILY_PREPARE):
            connection.execute(statement, family)
    return family


# --- Measured in a process of its own --------------------------------------------------


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(url: str, parent_id: int) -> None:
    """Run the retention task, then erase the family; print the figures as JSON."""
    setup_django(url)
    from django.db import connection

    from accounts.models import User
    from privacy.selectors import retention_plan
    from privacy.services import retention_run, user_erase

    due = retention_plan().counts
    statements = [0]

    def count(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    before_mb = _rss_mb()
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        run = retention_run()
        run_seconds = time.perf_counter() - started
    peak_mb = _rss_mb()
    user = User.objects.get(pk=parent_id)
    started = time.perf_counter()
    erased = user_erase(user=user, actor=None, reason="own_request")
    family_seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "due": due,
                "counts": run.counts,
                "error": run.error,
                "run_seconds": run_seconds,
                "statements": statements[0],
                "before_mb": before_mb,
                "peak_mb": peak_mb,
                "family_seconds": family_seconds,
                "family_rows": erased,
            }
        )
    )


def _measure(url: str, parent_id: int) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        # Messages stay in the outbox; delivery is the workers' job, not the run's.
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "REDIS_URL": "",
    }
    script = Path(__file__).resolve()
    result = subprocess.run(
        [sys.executable, str(script), "--child", url, "--family", str(parent_id)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"The measured run failed ({result.returncode}).")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- Main --------------------------------------------------------------------------------


def _seeded(schools: int, pupils: int) -> bool:
    from schools.models import Pupil, School

    demo = School.objects.filter(urn__regex=r"^99[0-9]{4}$")
    return (
        demo.count() == schools
        and Pupil.objects.filter(school__in=demo).count() == schools * pupils
    )


def _seed(args) -> None:
    from django.core.management import call_command

    print(
        f"Seeding {args.schools} x {args.pupils_per_school} pupils, "
        f"{args.events_per_pupil} events each ..."
    )
    call_command(
        "seed_demo",
        *("--schools", str(args.schools), "--pupils-per-school", str(args.pupils_per_school)),
        *("--events-per-pupil", str(args.events_per_pupil), "--seed", "1"),
        stdout=StringIO(),
    )


def _ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.1f}x" if baseline > 0 else "n/a"


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=10)
    parser.add_argument("--pupils-per-school", type=int, default=2000)
    parser.add_argument("--events-per-pupil", type=int, default=100)
    parser.add_argument("--seed-first", action="store_true", help="seed again even if seeded")
    parser.add_argument("--keep", action="store_true", help="keep the two copies afterwards")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--family", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.family)
        return 0

    url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print(f"This benchmark measures PostgreSQL; DATABASE_URL is {url!r}.")
        return 2
    ensure_database(url)
    setup_django(url)
    if args.seed_first or not _seeded(args.schools, args.pupils_per_school):
        _seed(args)
    from django.db import connections

    from engagement.models import Event

    events = Event.objects.count()
    connections.close_all()
    print(
        f"Retention on {url.rpartition('/')[2]}: {args.schools} schools x "
        f"{args.pupils_per_school} pupils, {events:,} events"
    )

    run_url, sql_url = _copy(url, "run"), _copy(url, "sql")
    try:
        family = _prepare(run_url)
        if _prepare(sql_url) != family:
            raise SystemExit("The two copies were not prepared alike.")
        measured = _measure(run_url, family["parent"])
        sql_run, sql_run_statements = _sql_seconds(
            sql_url, [RUN_SETS, NOTICES_AND_CLOSURES, PUPILS_ERASE, CONTACTS_SET, USERS_ERASE]
        )
        sql_family, _ = _sql_seconds(sql_url, [FAMILY_SETS, PUPILS_ERASE, USERS_ERASE], family)
    finally:
        if not args.keep:
            _drop(run_url)
            _drop(sql_url)

    done = ", ".join(f"{counts['done']} {step}" for step, counts in measured["counts"].items())
    print(f"  done by the run: {done}")
    if measured["error"]:
        print(f"  the run ended with errors: {measured['error']}")
    run_ok = measured["run_seconds"] < TARGET_RUN_SECONDS and not measured["error"]
    memory_ok = measured["peak_mb"] < TARGET_PEAK_MB
    family_ok = measured["family_seconds"] < TARGET_FAMILY_SECONDS
    print(
        f"  retention run: {measured['run_seconds']:.2f} s, {measured['statements']:,} statements"
        f" (hand-written SQL: {sql_run:.2f} s, {sql_run_statements} statements;"
        f" {_ratio(measured['run_seconds'], sql_run)})"
        f"  target < {TARGET_RUN_SECONDS:.0f} s: {_verdict(run_ok)}"
    )
    print(
        f"  peak memory: {measured['peak_mb']:.0f} MB (the same process before the run:"
        f" {measured['before_mb']:.0f} MB; {_ratio(measured['peak_mb'], measured['before_mb'])})"
        f"  target < {TARGET_PEAK_MB:.0f} MB: {_verdict(memory_ok)}"
    )
    print(
        f"  erasing a family with {FAMILY_EVENTS:,} events: {measured['family_seconds']:.3f} s"
        f" (hand-written SQL: {sql_family:.3f} s; {_ratio(measured['family_seconds'], sql_family)})"
        f"  target < {TARGET_FAMILY_SECONDS:.0f} s: {_verdict(family_ok)}"
    )
    return 0 if run_ok and memory_ok and family_ok else 1


if __name__ == "__main__":
    sys.exit(main())
