"""`make demo PORT=8010`: the demo serves on that port, every link it writes uses it,
and a port already taken is said at once."""

import os
import re
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import Membership, User
from accounts.services import staff_add
from demo.accounts import DEMO_ADMIN, DEMO_CHILDREN, DEMO_PARENT
from demo.learning import DEMO_ASSIGNMENT_TOPIC
from demo.management.commands.demo_port_check import port_free
from learning.models import Assignment
from learning.services import assignment_notify_started
from notifications.models import Message
from tests.demo.test_demo_invitations import (
    admin_school,
    seed_as_make_demo,
    sign_in_as_demo_admin,
    uninvited_imported_parents,
)

BASE_DIR = Path(django_settings.BASE_DIR)
DEMO_URL = "http://127.0.0.1:8010"
LINK = re.compile(r"https?://[^\s\"'<>]+")


@pytest.fixture
def listening_port():
    """A port something is already listening on, as a running demo would."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def test_a_port_in_use_is_refused_with_a_message_naming_another(listening_port):
    with pytest.raises(CommandError) as refused:
        call_command("demo_port_check", str(listening_port))

    message = str(refused.value)
    assert f"Port {listening_port} on 127.0.0.1 is in use" in message
    suggested = int(re.search(r"make demo PORT=(\d+)", message).group(1))
    assert suggested != listening_port and port_free(suggested)


def test_the_port_check_exits_non_zero_from_the_command_line(listening_port):
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}

    taken = subprocess.run(
        [sys.executable, "manage.py", "demo_port_check", str(listening_port)],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert taken.returncode != 0
    assert f"Port {listening_port} on 127.0.0.1 is in use" in taken.stderr
    assert "make demo PORT=" in taken.stderr


def test_a_free_port_passes_the_check():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    call_command("demo_port_check", str(port))  # no error


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_port_serves_there_with_site_url_set_for_every_step(tmp_path):
    """The demo target run with a stand-in Python that records each command and
    the SITE_URL it was given."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "commands.log"
    python = bin_dir / "python"
    python.write_text(f'#!/bin/sh\necho "$SITE_URL $*" >> {log}\n')
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    stamp = bin_dir / "installed"
    stamp.touch()
    environment = {key: value for key, value in os.environ.items() if key != "SITE_URL"}

    subprocess.run(
        ["make", "--no-print-directory", "demo", "PORT=8010", f"BIN={bin_dir}", f"STAMP={stamp}"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    commands = log.read_text().splitlines()
    assert commands[0] == f"{DEMO_URL} manage.py demo_port_check 8010"
    assert commands[-1] == f"{DEMO_URL} manage.py runserver 127.0.0.1:8010"
    assert any("seed_demo" in command for command in commands)
    assert any("demo_logins" in command for command in commands)
    assert all(command.startswith(f"{DEMO_URL} ") for command in commands)


def test_settings_read_site_url_from_the_environment():
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "PORTAL_ENV", "DEBUG"}
    }
    environment.update(SITE_URL=DEMO_URL, DJANGO_SETTINGS_MODULE="portal.settings")

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); "
         "from django.conf import settings; print(settings.SITE_URL)"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )  # fmt: skip

    assert result.stdout.strip() == DEMO_URL


@pytest.mark.django_db
def test_every_link_the_demo_writes_uses_its_port(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = DEMO_URL
    with django_capture_on_commit_callbacks(execute=True):
        seed_as_make_demo()
    school = admin_school()
    admin = User.objects.get(email=DEMO_ADMIN.email)
    sign_in_as_demo_admin(client)
    child = uninvited_imported_parents(school).first().guardianships.first().pupil

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("invitations:create", args=[school.pk]),
            {"scope": "class", "channels": "both", "school_class": child.school_class_id},
        )
        staff_add(
            school=school,
            email="new.teacher@example.org",
            first_name="New",
            last_name="Teacher",
            role=Membership.Role.TEACHER,
            actor=admin,
        )
    client.logout()
    # A topic starting, and an award earned by the demo parent's child.
    parent = User.objects.get(email=DEMO_PARENT.email)
    own_child = parent.guardianships.get(pupil__first_name=DEMO_CHILDREN[0][0]).pupil
    assignment = Assignment.objects.get(
        school_class=own_child.school_class, topic__title=DEMO_ASSIGNMENT_TOPIC.title
    )
    activity = assignment.topic.activities.order_by("position").first()
    client.force_login(parent)
    Assignment.objects.filter(pk=assignment.pk).update(start_notified_at=None)  # told again
    with django_capture_on_commit_callbacks(execute=True):
        assignment_notify_started(assignment_id=assignment.pk)
        client.post(
            reverse("learning:child_activity_done", args=[own_child.pk, assignment.pk, activity.pk])
        )
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_reset_password"),
            {"email": DEMO_ADMIN.email},
            HTTP_HOST="127.0.0.1:8010",
        )

    bodies = [*Message.objects.values_list("body_text", flat=True)]
    bodies += [email.body for email in mail.outbox]
    links = [link for body in bodies for link in LINK.findall(body)]
    assert [link for link in links if not link.startswith(f"{DEMO_URL}/")] == []
    paths = {link.removeprefix(DEMO_URL) for link in links}
    assert any(path.startswith("/invitations/") for path in paths)
    assert any(path.startswith("/accounts/password/reset/key/") for path in paths)
    assert f"/children/{own_child.pk}/assignments/{assignment.pk}/" in paths
    assert f"/children/{own_child.pk}/" in paths  # the award's link to the child's space
