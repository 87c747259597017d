"""How fast the engagement report and dashboards answer, against hand-written SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python benchmarks/reports.py [--requests 100] [--port 8035] [--seed-first]

On the demo data (``seed_demo --schools 10 --pupils-per-school 2000
--events-per-pupil 100``: 20,000 pupils, about 2 million events; ``--seed-first``
runs it), gunicorn with 2 workers serves, for the demo admin's 2,000-pupil
school, ``--requests`` times each, one at a time:

- the Pupil Premium report for this academic year (``engagement:pp_report``,
  ``?period=this_year``), as the demo school admin;
- the school admin dashboard (``engagement:school_dashboard``);
- the teacher dashboard for the demo teacher's first class
  (``engagement:teacher_dashboard``, ``?class=<id>``).

In the same run, the same numbers are computed as often with hand-written SQL
over the raw tables (pupils, guardianships, users, events, completions), as
defined in docs/architecture.md §4, with no summary table: the baseline. Printed per page: p50,
p95 and its median as a multiple of its baseline's. Targets: p95 <= 150 ms for
every page, page median <= 1.5 x the raw-SQL median.

Exits 1 when a target is missed, 2 when a page is not there (the URL name does
not resolve) or does not answer 200.
"""

import statistics
import sys
import time
from datetime import date, datetime, timedelta

from serving import (
    Gunicorn,
    PageError,
    benchmark_start,
    ms,
    session_for,
    time_page,
)

TARGET_P95_SECONDS = 0.150
TARGET_RATIO = 1.5

# The pupils on roll at the end of the period, and their parents who count:
# confirmed before it ended and not ended by then, account open and not restricted.
FAMILIES = """
WITH pupils AS (
    SELECT p.id, p.pupil_premium, p.year_group, p.school_class_id
    FROM schools_pupil p
    WHERE p.school_id = %(school)s AND p.created_at < %(to)s AND p.anonymised_at IS NULL
      AND (p.removed_by_school_at IS NULL OR p.removed_by_school_at >= %(to)s)
      {pupil_filter}
), parents AS (
    SELECT g.pupil_id, g.parent_id
    FROM schools_guardianship g
    JOIN pupils ON pupils.id = g.pupil_id
    JOIN accounts_user u ON u.id = g.parent_id
    WHERE g.confirmed_at < %(to)s AND (g.ended_at IS NULL OR g.ended_at >= %(to)s)
      AND u.closed_at IS NULL AND NOT u.processing_restricted
)
"""

PP_REPORT = (
    FAMILIES
    + """
, reached AS (SELECT DISTINCT pupil_id FROM parents)
, active AS (
    SELECT DISTINCT parents.pupil_id FROM parents
    WHERE EXISTS (
        SELECT 1 FROM engagement_event e
        WHERE e.actor_id = parents.parent_id AND e.at >= %(from)s AND e.at < %(to)s
    )
), done AS (
    SELECT c.pupil_id, count(*) AS number FROM learning_completion c
    JOIN pupils ON pupils.id = c.pupil_id
    WHERE c.completed_at >= %(from)s AND c.completed_at < %(to)s
    GROUP BY c.pupil_id
)
SELECT pupils.year_group, pupils.school_class_id, pupils.pupil_premium,
       count(*), count(reached.pupil_id), count(active.pupil_id), coalesce(sum(done.number), 0)
FROM pupils
LEFT JOIN reached ON reached.pupil_id = pupils.id
LEFT JOIN active ON active.pupil_id = pupils.id
LEFT JOIN done ON done.pupil_id = pupils.id
GROUP BY GROUPING SETS (
    (pupils.pupil_premium),
    (pupils.year_group, pupils.pupil_premium),
    (pupils.school_class_id, pupils.pupil_premium)
)
"""
)

PP_WEEKLY_TREND = (
    FAMILIES
    + """
SELECT date_trunc('week', e.at AT TIME ZONE 'Europe/London') AS week, pupils.pupil_premium,
       count(DISTINCT parents.pupil_id)
FROM parents
JOIN pupils ON pupils.id = parents.pupil_id
JOIN engagement_event e ON e.actor_id = parents.parent_id
WHERE e.at >= %(from)s AND e.at < %(to)s
GROUP BY 1, 2
"""
)

# Reach, weekly unique active families and completions per week over the term,
# and each class this week against last.
SCHOOL_DASHBOARD = (
    FAMILIES
    + """
SELECT 'reach', NULL::timestamp, NULL::bigint, count(DISTINCT pupil_id) FROM parents
UNION ALL
SELECT 'active', date_trunc('week', e.at AT TIME ZONE 'Europe/London'), NULL,
       count(DISTINCT e.actor_id)
FROM engagement_event e
WHERE e.school_id = %(school)s AND e.at >= %(from)s AND e.at < %(to)s
  AND e.actor_id IN (SELECT parent_id FROM parents)
GROUP BY 2
UNION ALL
SELECT 'completions', date_trunc('week', c.completed_at AT TIME ZONE 'Europe/London'), NULL,
       count(*)
FROM learning_completion c JOIN pupils ON pupils.id = c.pupil_id
WHERE c.completed_at >= %(from)s AND c.completed_at < %(to)s
GROUP BY 2
UNION ALL
SELECT CASE WHEN e.at >= %(week)s THEN 'class this week' ELSE 'class last week' END, NULL,
       pupils.school_class_id, count(DISTINCT parents.pupil_id)
FROM parents
JOIN pupils ON pupils.id = parents.pupil_id
JOIN engagement_event e ON e.actor_id = parents.parent_id
WHERE e.at >= %(last_week)s AND e.at < %(to)s
GROUP BY 1, 3
"""
)

# One class, every number the teacher's page shows for it: reached, active in the
# last 7 and 30 days, this week against last and completions in the last 30 days;
# for each of the ten newest pieces of work, the pupils whose families were active
# on it (opening it, or doing, rating or commenting on one of its activities) in
# the last 7 and 30 days and the completions of its activities; then (below) each
# pupil's number of joined parents, their last activity and last nudge about the
# open work, least engaged first, and the newest comments and photos.
TEACHER_DASHBOARD = (
    FAMILIES
    + """
, work AS (
    SELECT a.id, a.topic_id FROM learning_assignment a
    WHERE a.school_class_id = %(class)s ORDER BY a.starts_on DESC, a.id DESC LIMIT 10
), spans AS (
    SELECT * FROM (VALUES ('7 days', %(days_7)s::timestamptz),
                          ('30 days', %(days_30)s::timestamptz),
                          ('this week', %(week)s::timestamptz)) AS span(name, start)
)
SELECT 'reached', NULL::bigint, count(DISTINCT pupil_id) FROM parents
UNION ALL
SELECT 'active ' || spans.name, NULL, count(DISTINCT parents.pupil_id)
FROM spans
JOIN parents ON EXISTS (
    SELECT 1 FROM engagement_event e
    WHERE e.actor_id = parents.parent_id AND e.school_id = %(school)s
      AND e.at >= spans.start AND e.at < %(to)s
)
GROUP BY spans.name
UNION ALL
SELECT 'active last week', NULL, count(DISTINCT parents.pupil_id) FROM parents
WHERE EXISTS (
    SELECT 1 FROM engagement_event e
    WHERE e.actor_id = parents.parent_id AND e.school_id = %(school)s
      AND e.at >= %(last_week)s AND e.at < %(week)s
)
UNION ALL
SELECT 'completions 30 days', NULL, count(*)
FROM learning_completion c JOIN pupils ON pupils.id = c.pupil_id
WHERE c.completed_at >= %(days_30)s AND c.completed_at < %(to)s
UNION ALL
SELECT 'work active ' || spans.name, work.id, count(DISTINCT e.pupil_id)
FROM work
JOIN spans ON spans.name <> 'this week'
JOIN engagement_event e ON e.at >= spans.start AND (
    e.subject = 'assignment:' || work.id
    OR e.subject IN (
        SELECT 'activity:' || act.id FROM learning_activity act WHERE act.topic_id = work.topic_id
    )
)
JOIN parents ON parents.pupil_id = e.pupil_id AND parents.parent_id = e.actor_id
GROUP BY 1, 2
UNION ALL
SELECT 'work completions', work.id, count(c.id)
FROM work
JOIN learning_activity act ON act.topic_id = work.topic_id
LEFT JOIN learning_completion c ON c.activity_id = act.id
    AND c.pupil_id IN (SELECT id FROM pupils)
GROUP BY work.id
"""
)

TEACHER_PUPILS = (
    FAMILIES
    + """
, open_work AS (
    SELECT a.id FROM learning_assignment a
    WHERE a.school_class_id = %(class)s AND a.starts_on <= %(today)s AND a.due_on >= %(today)s
    ORDER BY a.due_on, a.id LIMIT 1
)
SELECT pupils.id,
       (SELECT count(*) FROM parents WHERE parents.pupil_id = pupils.id),
       (SELECT max(e.at) FROM engagement_event e
        JOIN parents ON parents.parent_id = e.actor_id AND parents.pupil_id = pupils.id
        WHERE e.school_id = %(school)s) AS last_active,
       (SELECT max(n.sent_at) FROM engagement_nudge n
        JOIN parents ON parents.parent_id = n.parent_id AND parents.pupil_id = pupils.id
        WHERE n.assignment_id = (SELECT id FROM open_work))
FROM pupils
ORDER BY last_active ASC NULLS FIRST, pupils.id
LIMIT 50
"""
)

TEACHER_FEEDBACK = """
SELECT f.id, f.comment, f.photo, f.created_at
FROM learning_feedback f
JOIN schools_pupil p ON p.id = f.pupil_id
WHERE p.school_class_id = %(class)s AND p.removed_by_school_at IS NULL
  AND p.anonymised_at IS NULL AND f.removed_at IS NULL
  AND NOT (f.comment = '' AND f.photo = '') AND f.moderation_status <> 'rejected'
ORDER BY f.created_at DESC, f.id DESC
LIMIT 5
"""


def _local_midnight(day: date) -> datetime:
    from learning.services import SCHOOL_TIME_ZONE

    return datetime.combine(day, datetime.min.time(), tzinfo=SCHOOL_TIME_ZONE)


def periods() -> dict:
    """This academic year and this term (roughly) so far, this week and last, in
    school local time, as [from, to) boundaries."""
    from learning.services import school_today

    today = school_today()
    year_start = date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    term_start = max(
        day for day in (year_start, date(today.year, 1, 5), date(today.year, 4, 14)) if day <= today
    )
    monday = today - timedelta(days=today.weekday())
    end = _local_midnight(today + timedelta(days=1))
    return {
        "year_from": _local_midnight(year_start),
        "term_from": _local_midnight(term_start),
        "to": end,
        "week": _local_midnight(monday),
        "last_week": _local_midnight(monday - timedelta(days=7)),
        "days_7": end - timedelta(days=7),
        "days_30": end - timedelta(days=30),
        "today": today,
    }


def time_sql(queries: list[tuple[str, dict]], repeats: int) -> list[float]:
    """Each run executes every query and fetches every row, as a page would."""
    from django.db import connection

    times = []
    with connection.cursor() as cursor:
        for _ in range(repeats):
            started = time.perf_counter()
            for sql, params in queries:
                cursor.execute(sql, params)
                cursor.fetchall()
            times.append(time.perf_counter() - started)
    return times


def main() -> int:
    started = benchmark_start(__doc__.split("\n\n")[0], default_port=8035)
    if started is None:
        return 2
    args, url = started
    from django.urls import NoReverseMatch, reverse

    from accounts.models import Membership, User
    from demo.accounts import DEMO_ADMIN, DEMO_TEACHER
    from engagement.models import Event
    from schools.models import Pupil

    admin = Membership.objects.select_related("school", "user").get(user__email=DEMO_ADMIN.email)
    school = admin.school
    teacher = User.objects.get(email=DEMO_TEACHER.email)
    school_class = teacher.classes_taught.order_by("year_group", "pk").first()
    try:
        pages = [
            (
                "Pupil Premium report",
                reverse("engagement:pp_report", args=[school.pk]) + "?period=this_year",
                admin.user,
            ),
            (
                "School dashboard",
                reverse("engagement:school_dashboard", args=[school.pk]),
                admin.user,
            ),
            (
                "Teacher dashboard",
                reverse("engagement:teacher_dashboard") + f"?class={school_class.pk}",
                teacher,
            ),
        ]
    except NoReverseMatch as error:
        print(f"A page to measure is not there yet: {error}")
        print("benchmarks/reports.py needs engagement:pp_report, engagement:school_dashboard")
        print("and engagement:teacher_dashboard (engagement/urls.py).")
        return 2

    span = periods()
    common = {"school": school.pk, "to": span["to"], "week": span["week"]}
    filters = {"pupil_filter": ""}
    class_filter = {"pupil_filter": "AND p.school_class_id = %(class)s"}
    teacher_params = {**common, **span, "class": school_class.pk, "today": span["today"]}
    baselines = {
        "Pupil Premium report": [
            (PP_REPORT.format(**filters), {**common, "from": span["year_from"]}),
            (PP_WEEKLY_TREND.format(**filters), {**common, "from": span["year_from"]}),
        ],
        "School dashboard": [
            (
                SCHOOL_DASHBOARD.format(**filters),
                {**common, "from": span["term_from"], "last_week": span["last_week"]},
            )
        ],
        "Teacher dashboard": [
            (TEACHER_DASHBOARD.format(**class_filter), teacher_params),
            (TEACHER_PUPILS.format(**class_filter), teacher_params),
            (TEACHER_FEEDBACK, teacher_params),
        ],
    }

    pupils = Pupil.objects.filter(school=school).count()
    events = Event.objects.filter(school=school).count()
    print(
        f"Reports on {url.rpartition('@')[2]}: {school.name}, {pupils} pupils, {events} events; "
        f"gunicorn x 2, {args.requests} requests each"
    )
    print(f"  {'page':<22} {'p50 ms':>7} {'p95 ms':>7} {'SQL p50':>7} {'ratio':>6}  targets")
    passed = True
    with Gunicorn(port=args.port, database_url=url):
        for name, path, user in pages:
            try:
                timing = time_page(
                    args.port, path, session=session_for(user), requests=args.requests, label=name
                )
            except PageError as error:
                print(f"  {name:<22} FAILED: {error}")
                return 2
            baseline = statistics.median(time_sql(baselines[name], args.requests))
            ratio = timing.p50 / baseline
            met = timing.p95 <= TARGET_P95_SECONDS and ratio <= TARGET_RATIO
            passed &= met
            print(
                f"  {name:<22} {ms(timing.p50)} {ms(timing.p95)} {ms(baseline)} {ratio:>6.2f}  "
                f"{'met' if met else 'MISSED'} (p95 <= 150 ms, ratio <= {TARGET_RATIO})"
            )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
