"""How fast every list page answers at scale, for each role, against /healthz.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python benchmarks/pages.py [--requests 100] [--port 8034] [--seed-first]

On the demo data (``seed_demo --schools 10 --pupils-per-school 2000
--events-per-pupil 100``: 20,000 pupils; ``--seed-first`` runs it), gunicorn with
2 workers serves each list page of the demo parent, teacher, school admin and
platform staff ``--requests`` times, one request at a time, and /healthz as
often in the same run: the least a request costs. Printed per page: its query
count (one request through Django's test client, same database), p50 and p95,
and its median as a multiple of /healthz's.

All of it twice: with the portal's settings (connections kept, CONN_MAX_AGE=60)
and with CONN_MAX_AGE=0 (a new PostgreSQL connection for every request), and
the requests per second of "My children" under 10 clients at once for each.

Nothing here is a test: it prints figures, and exits 1 if a page did not answer 200.
"""

import sys
import threading
import time

from serving import (
    Gunicorn,
    PageError,
    benchmark_start,
    get,
    ms,
    session_for,
    time_page,
)

CLIENTS = 10
THROUGHPUT_SECONDS = 5.0


def demo_pages() -> tuple[list[tuple[str, str, str]], dict]:
    """(role, page, path) for every list page of each demo account, and the accounts."""
    from django.urls import reverse

    from accounts.models import Membership, User
    from demo.accounts import DEMO_ADMIN, DEMO_PARENT, DEMO_STAFF, DEMO_TEACHER
    from learning.models import Assignment

    admin = Membership.objects.select_related("school").get(user__email=DEMO_ADMIN.email)
    school = admin.school.pk
    teacher = User.objects.get(email=DEMO_TEACHER.email)
    school_class = teacher.classes_taught.order_by("year_group", "pk").first()
    assignment = Assignment.objects.filter(school_class=school_class).order_by("-created_at")[0]
    parent = User.objects.get(email=DEMO_PARENT.email)
    child = parent.guardianships.filter(pupil__school_class=school_class).get().pupil
    return [
        ("parent", "My children", reverse("schools:parent_home")),
        ("parent", "Child's space", reverse("learning:child_space", args=[child.pk])),
        (
            "parent",
            "Work set for the child",
            reverse("learning:child_assignment", args=[child.pk, assignment.pk]),
        ),
        ("teacher", "My classes", reverse("schools:teacher_classes")),
        ("teacher", "A class", reverse("schools:class_detail", args=[school_class.pk])),
        ("teacher", "Work set", reverse("learning:assignment_list")),
        ("teacher", "A piece of work", reverse("learning:assignment_detail", args=[assignment.pk])),
        ("teacher", "Its feedback", reverse("learning:assignment_feedback", args=[assignment.pk])),
        ("teacher", "Topics", reverse("learning:topic_list")),
        ("teacher", "Moderation", reverse("learning:feedback_moderation")),
        ("admin", "School overview", reverse("schools:school_overview", args=[school])),
        ("admin", "Pupils", reverse("schools:school_pupils", args=[school])),
        ("admin", "Invitations", reverse("invitations:list", args=[school])),
        ("admin", "Invite families", reverse("invitations:create", args=[school])),
        ("admin", "Work set", reverse("learning:assignment_list")),
        ("admin", "Audit log", reverse("audit:school_log", args=[school])),
        ("admin", "Staff sign-ins", reverse("audit:school_security", args=[school])),
        ("staff", "Admin home", reverse("admin:index")),
        ("staff", "Schools", reverse("admin:schools_school_changelist")),
        ("staff", "Topics", reverse("admin:learning_topic_changelist")),
    ], {
        "parent": parent,
        "teacher": teacher,
        "admin": admin.user,
        "staff": User.objects.get(email=DEMO_STAFF.email),
    }


def query_count(path: str, session: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.cookies["sessionid"] = session
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return len(captured)


def throughput(port: int, path: str, session: str) -> float:
    """Requests per second answered to ``CLIENTS`` clients asking at once."""
    done = [0] * CLIENTS
    stop = time.monotonic() + THROUGHPUT_SECONDS

    def client(number: int) -> None:
        while time.monotonic() < stop:
            if get(port, path, session).status == 200:
                done[number] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / THROUGHPUT_SECONDS


def run(label: str, *, url: str, port: int, requests: int, pages, sessions, env) -> bool:
    print(f"\n{label}")
    print(
        f"  {'role':<8} {'page':<24} {'queries':>7} {'p50 ms':>7} {'p95 ms':>7} {'p50/healthz':>11}"
    )
    ok = True
    with Gunicorn(port=port, database_url=url, **env):
        healthz = time_page(port, "/healthz", session="", requests=requests, label="healthz")
        print(f"  {'':<8} {'/healthz':<24} {'':>7} {ms(healthz.p50)} {ms(healthz.p95)} {1:>11.1f}")
        for role, name, path in pages:
            session = sessions[role]
            try:
                timing = time_page(port, path, session=session, requests=requests, label=name)
            except PageError as error:
                print(f"  {role:<8} {name:<24} FAILED: {error}")
                ok = False
                continue
            queries = query_count(path, session)
            print(
                f"  {role:<8} {name:<24} {queries:>7} {ms(timing.p50)} {ms(timing.p95)} "
                f"{timing.p50 / healthz.p50:>11.1f}"
            )
        my_children = next(path for role, name, path in pages if name == "My children")
        rate = throughput(port, my_children, sessions["parent"])
        print(f"  My children under {CLIENTS} clients: {rate:.0f} requests/s")
    return ok


def main() -> int:
    started = benchmark_start(__doc__.split("\n\n")[0], default_port=8034)
    if started is None:
        return 2
    args, url = started

    from schools.models import Pupil

    print(f"Pages on {url.rpartition('@')[2]}: {Pupil.objects.count()} pupils, gunicorn x 2")
    pages, users = demo_pages()
    sessions = {role: session_for(user) for role, user in users.items()}
    ok = True
    for label, env in (
        ("Connections kept (the portal's settings)", {}),
        ("CONN_MAX_AGE=0 (a new connection for every request)", {"CONN_MAX_AGE": "0"}),
    ):
        ok &= run(
            label,
            url=url,
            port=args.port,
            requests=args.requests,
            pages=pages,
            sessions=sessions,
            env=env,
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
