"""The Procfile: a release that collects static files, and a web process bound
where only the TLS proxy reaches it unless told otherwise."""

import os
import shlex
import subprocess
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def processes() -> dict[str, str]:
    lines = (BASE_DIR / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def expanded(command: str, **env: str) -> list[str]:
    """The command's words as the shell running the Procfile expands them."""
    clean = {key: value for key, value in os.environ.items() if key not in {"BIND_ADDRESS", "PORT"}}
    result = subprocess.run(
        ["sh", "-c", f'for word in {command}; do echo "$word"; done'],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def test_release_migrates_then_collects_static_files_and_stops_at_a_failure():
    steps = [shlex.split(step) for step in processes()["release"].split("&&")]

    assert steps == [
        ["python", "manage.py", "migrate", "--no-input"],
        ["python", "manage.py", "collectstatic", "--no-input"],
    ]


def test_web_binds_to_the_loopback_address_by_default():
    words = expanded(processes()["web"])

    assert words[words.index("--bind") + 1] == "127.0.0.1:8000"


def test_web_binds_to_the_address_and_port_given():
    words = expanded(processes()["web"], BIND_ADDRESS="10.0.0.5", PORT="5000")

    assert words[words.index("--bind") + 1] == "10.0.0.5:5000"
