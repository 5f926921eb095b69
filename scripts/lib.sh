# Shared helpers for the Makefile's scripts. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
RUN_DIR="$ROOT/.run"
mkdir -p "$RUN_DIR"

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=""
apt_install() {
  # Installs the Debian packages given that are not installed yet.
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "Installing Debian packages: ${missing[*]}"
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

ensure_venv() {
  # $1: pip extras, e.g. "" or "[dev]"
  local extras="${1:-}"
  if [ ! -x "$PY" ]; then
    command -v python3 >/dev/null 2>&1 || apt_install python3 python3-venv
    log "Creating the virtual environment"
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
      echo "Python 3.11 or newer is required" >&2; exit 1; }
    python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv; rm -rf "$VENV"; python3 -m venv "$VENV"; }
  fi
  local stamp="$VENV/.installed$extras"
  if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
    log "Installing Python packages ($extras)"
    "$PY" -m pip install -q --upgrade pip
    "$PY" -m pip install -q -e "$ROOT$extras"
    touch "$stamp"
  fi
}

compile_messages() {
  if command -v msgfmt >/dev/null 2>&1; then
    (cd "$ROOT" && "$PY" manage.py compilemessages --ignore=.venv -v 0)
  else
    # No gettext tools on this machine: compile with the pure-Python fallback.
    "$PY" "$ROOT/scripts/compile_po.py"
  fi
}
