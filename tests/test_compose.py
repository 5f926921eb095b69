"""The deployment files agree with the Compose spec and with what settings.py reads.

No database, no Docker: the compose file is validated against the Compose
specification bundled with check-jsonschema (no network), and variable names are
compared by reading the files.
"""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
SETTINGS = ROOT / "socialorder" / "settings.py"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"

# The Env methods that read one variable named by their first argument.
ENV_READERS = {
    "str",
    "bool",
    "int",
    "float",
    "decimal",
    "json",
    "list",
    "tuple",
    "dict",
    "url",
    "path",
    "bytes",
    "db",
    "db_url",
    "cache",
    "cache_url",
    "email",
    "email_url",
    "search_url",
    "get_value",
}


def settings_variables():
    """Every variable settings.py reads: the string first argument of env() and env.<reader>()."""
    tree = ast.parse(SETTINGS.read_text(encoding="utf-8"), filename=str(SETTINGS))
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        reads = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "env"
            and func.attr in ENV_READERS
        )
        first = node.args[0]
        if reads and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names


def environment_names(environment):
    """Names set by a service's `environment`, in mapping or list form."""
    if environment is None:
        return set()
    if isinstance(environment, dict):
        return set(environment)
    return {item.split("=", 1)[0] for item in environment}


def load_compose():
    # safe_load resolves anchors, aliases and `<<` merge keys.
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def app_services(compose):
    """The services that run the portal's code: built from the Dockerfile."""
    return {name: svc for name, svc in compose["services"].items() if "build" in svc}


def test_compose_file_follows_the_compose_spec():
    check = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(check), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_has_no_obsolete_version_key():
    assert "version" not in load_compose()


def test_compose_runs_the_whole_stack():
    services = load_compose()["services"]
    assert {"db", "redis", "web", "worker", "beat", "mailpit"} <= set(services)
    assert services["db"]["image"] == "postgres:16"
    assert "healthcheck" in services["db"]
    assert services["redis"]["image"].startswith("redis:7")
    assert services["mailpit"]["image"].startswith("axllent/mailpit")
    assert set(app_services(load_compose())) == {"web", "worker", "beat"}
    web = " ".join(services["web"]["command"])
    assert "migrate" in web
    assert "socialorder.wsgi:application" in web
    assert "0.0.0.0:8000" in web
    assert services["worker"]["command"][:5] == ["celery", "-A", "socialorder", "worker", "-l"]
    assert services["beat"]["command"][:5] == ["celery", "-A", "socialorder", "beat", "-l"]


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_compose_sets_only_variables_that_settings_read(service):
    compose = load_compose()
    svc = compose["services"][service]
    assert "env_file" not in svc, "compare env_file contents too if it is ever used"
    set_by_compose = environment_names(svc.get("environment"))
    assert set_by_compose, f"{service} sets no environment"
    unknown = set_by_compose - settings_variables()
    assert not unknown, f"{service} sets variables settings.py never reads: {sorted(unknown)}"


def test_compose_app_environment_points_at_the_stack():
    env = load_compose()["services"]["web"]["environment"]
    assert "@db:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379/")
    assert "smtp://mailpit:1025" in env["EMAIL_URL"]
    # The secret is never written in the file: compose refuses to start without it.
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")


def test_settings_variables_are_documented_in_env_example():
    # Documented means a KEY= line, set or commented out (showing the default).
    documented = set(
        re.findall(
            r"^#?\s*([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(encoding="utf-8"), re.MULTILINE
        )
    )
    read = settings_variables()
    assert {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"} <= read
    missing = read - documented
    assert not missing, f".env.example does not document: {sorted(missing)}"


def dockerfile_instructions():
    """(INSTRUCTION, arguments) pairs with continuation lines joined and comments dropped."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    result = []
    for line in joined.splitlines():
        if line.strip():
            instruction, _, args = line.strip().partition(" ")
            result.append((instruction.upper(), args.strip()))
    return result


def test_dockerfile_installs_weasyprint_libraries_and_dejavu():
    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim-bookworm")
    installs = " ".join(
        args for instr, args in instructions if instr == "RUN" and "apt-get install" in args
    )
    packages = set(installs.split())
    assert "libharfbuzz-subset0" in packages
    assert {"libpango-1.0-0", "libpangoft2-1.0-0", "gettext"} <= packages
    assert packages & {"fonts-dejavu-core", "fonts-dejavu", "fonts-dejavu-extra"}


def test_dockerfile_runs_as_a_non_root_user():
    users = [args for instr, args in dockerfile_instructions() if instr == "USER"]
    assert users, "no USER instruction: the container would run as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
