"""The deployment files: the environment file reader, the secrets, the units and nginx site."""

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"

HOSTILE = {
    "A": "plain",
    "B": "has $HOME and `id` and $(id) and ${PATH}",
    "C": 'quote\'s "inside" \\ back',
    "D": "a#b;c&d|e>f<g*",
    "E": "",
    "F": "  after spaces",
}


def with_env(env_file, *command):
    return subprocess.run(
        [str(DEPLOY / "with-env.sh"), str(env_file), *command],
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"]},
    )


def test_with_env_keeps_every_character_of_a_value(tmp_path):
    """with-env.sh reads values literally, as systemd does; sourcing the file would run them."""
    env_file = tmp_path / "newsroom.env"
    env_file.write_text(
        "# a comment\n; another\n\n"
        + "".join(f"{key}={value.strip()}\n" for key, value in HOSTILE.items())
        + 'G="in double quotes"\n'
        + "H='in single quotes'\n"
        + "  I = spaced\n"
    )
    result = with_env(env_file, "env")
    assert result.returncode == 0, result.stderr
    seen = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    for key, value in HOSTILE.items():
        assert seen[key] == value.strip(), key
    assert seen["G"] == "in double quotes"
    assert seen["H"] == "in single quotes"
    assert seen["I"] == "spaced"
    sourced = subprocess.run(
        ["sh", "-c", f'set -a; . {env_file}; echo "$B"'], capture_output=True, text=True
    )
    assert sourced.stdout.strip() != HOSTILE["B"]


def test_make_secrets_fills_placeholders_with_env_safe_keys(tmp_path):
    """make-secrets.sh replaces the example's placeholders once, and nginx gets the same secret."""
    env_file = tmp_path / "newsroom.env"
    env_file.write_text((DEPLOY / "newsroom.env.example").read_text())
    nginx_file = tmp_path / "newsroom-secrets.conf"
    script = [str(DEPLOY / "make-secrets.sh"), str(env_file), str(nginx_file)]
    subprocess.run(script, check=True, capture_output=True)
    values = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
    key, staff = values["DJANGO_SECRET_KEY"], values["NEWSROOM_STAFF_COOKIE_SECRET"]
    for secret in (key, staff):
        assert re.fullmatch(r"[A-Za-z0-9_-]{60,}", secret)
    assert key != staff
    assert f'set $newsroom_staff_secret "{staff}";' in nginx_file.read_text()
    assert stat.S_IMODE(nginx_file.stat().st_mode) == 0o600
    # Run again: real secrets are kept.
    subprocess.run(script, check=True, capture_output=True)
    assert f"DJANGO_SECRET_KEY={key}\n" in env_file.read_text()
    # And the service, reading the file as systemd does, gets the key unchanged.
    printed = with_env(env_file, "sh", "-c", 'printf %s "$DJANGO_SECRET_KEY"')
    assert printed.stdout == key


@pytest.mark.parametrize(
    "unit",
    [
        "newsroom.service",
        "newsroom-flush-clicks.service",
        "newsroom-search-index.service",
        "newsroom-scan-content.service",
        "newsroom-check-links.service",
        "newsroom-health-digest.service",
    ],
)
def test_units_cannot_write_their_code(unit):
    """Every unit: ProtectSystem=strict, writable only media, private attachments and var."""
    text = (DEPLOY / unit).read_text()
    assert "ProtectSystem=strict" in text
    (paths,) = re.findall(r"^ReadWritePaths=(.*)$", text, re.MULTILINE)
    assert paths.split() == ["/srv/newsroom/media", "/srv/newsroom/private", "/srv/newsroom/var"]
    assert "EnvironmentFile=/etc/newsroom/newsroom.env" in text


def test_env_example_points_at_the_writable_paths_and_the_proxy():
    """The example sets the private root, the stamp in var, the trusted proxy and mail."""
    text = (DEPLOY / "newsroom.env.example").read_text()
    for line in [
        "NEWSROOM_PRIVATE_ROOT=/srv/newsroom/private",
        "NEWSROOM_CONTENT_STAMP=/srv/newsroom/var/content.stamp",
        "NEWSROOM_TRUSTED_PROXIES=127.0.0.1,::1",
        "EMAIL_HOST=",
        "DEFAULT_FROM_EMAIL=",
    ]:
        assert line in text


def test_nginx_site_hides_its_version():
    """server_tokens off, so error pages and headers do not name nginx's version."""
    assert re.search(r"^server_tokens off;", (DEPLOY / "nginx" / "newsroom.conf").read_text(), re.M)


def test_upgrade_script_runs_as_the_service_with_its_environment():
    """upgrade.sh migrates and collects static as newsroom, with the env file, then reloads."""
    text = (DEPLOY / "upgrade.sh").read_text()
    assert 'runuser -u "$user" -- "$app/deploy/with-env.sh" "$env_file"' in text
    assert "as_service .venv/bin/python manage.py migrate --noinput" in text
    assert "as_service .venv/bin/python manage.py collectstatic --noinput" in text
    assert 'systemctl reload "$service"' in text
    result = subprocess.run(["sh", "-n", str(DEPLOY / "upgrade.sh")], capture_output=True)
    assert result.returncode == 0


@pytest.mark.parametrize(
    ("timer", "command", "schedule"),
    [
        ("newsroom-check-links", "manage.py check_links", "OnCalendar=*-*-* 05:30:00"),
        ("newsroom-health-digest", "manage.py send_health_digest", "OnCalendar=Mon *-*-* 07:30:00"),
    ],
)
def test_site_health_timers_run_their_commands(timer, command, schedule):
    """The link check runs daily and the digest weekly, each timer starting its service."""
    service = (DEPLOY / f"{timer}.service").read_text()
    assert re.search(rf"^ExecStart=/srv/newsroom/app/\.venv/bin/python {command}$", service, re.M)
    assert "Type=oneshot" in service and "User=newsroom" in service
    timer_text = (DEPLOY / f"{timer}.timer").read_text()
    assert schedule in timer_text and "Persistent=true" in timer_text
    assert "WantedBy=timers.target" in timer_text
    readme = (DEPLOY.parent / "README.md").read_text()
    assert f"deploy/{timer}.service deploy/{timer}.timer" in readme
    assert f"{timer}.timer" in readme.split("systemctl enable --now", 1)[1].splitlines()[0]


def test_scan_content_timer_runs_the_queued_rescans():
    """The 内容安全 re-scans queued in the admin run every five minutes, installed by the README."""
    service = (DEPLOY / "newsroom-scan-content.service").read_text()
    assert re.search(
        r"^ExecStart=/srv/newsroom/app/\.venv/bin/python manage.py scan_content --queued$",
        service,
        re.M,
    )
    assert "Type=oneshot" in service and "User=newsroom" in service
    timer = (DEPLOY / "newsroom-scan-content.timer").read_text()
    assert "OnUnitActiveSec=5min" in timer and "WantedBy=timers.target" in timer
    readme = (DEPLOY.parent / "README.md").read_text()
    assert "deploy/newsroom-scan-content.service deploy/newsroom-scan-content.timer" in readme
    enabled = readme.split("systemctl enable --now", 1)[1].splitlines()[0]
    assert "newsroom-scan-content.timer" in enabled
