"""`manage.py check --deploy` passes with the production defaults of settings.py.

The check runs in a subprocess with a production environment built from the
current one minus the test-only overrides, so the security settings take the
defaults settings.py gives them when DEBUG is off.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Test-only overrides the deployment check must not inherit.
OVERRIDES = {
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "STATICFILES_STORAGE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def production_env(**extra):
    env = {key: value for key, value in os.environ.items() if key not in OVERRIDES}
    # DATABASE_URL and REDIS_URL, when set, pass through unchanged.
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(48),  # 64 characters
        ALLOWED_HOSTS="portal.example.org",
    )
    env.update(extra)
    return env


def deploy_check(env):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def dotenv_note():
    if (ROOT / ".env").exists():
        return (
            "\n(.env exists in the project directory: settings.py reads it for the variables"
            " this test leaves unset, such as SECURE_SSL_REDIRECT.)"
        )
    return ""


def test_deploy_check_passes_with_production_defaults():
    env = production_env()
    assert len(env["SECRET_KEY"]) == 64
    code, output = deploy_check(env)
    assert code == 0, output + dotenv_note()
    assert "System check identified no issues" in output, output


def test_deploy_check_fails_with_debug_on():
    code, output = deploy_check(production_env(DEBUG="1"))
    assert code != 0, output
    assert "security.W018" in output, output
