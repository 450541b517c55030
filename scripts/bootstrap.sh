#!/usr/bin/env bash
# Idempotent setup shared by scripts/run-demo and scripts/run-tests:
#   - a Python 3.11+ virtualenv in .venv with `pip install -e '.[dev]'`
#     (re-run only when pyproject.toml changed since the last install),
#   - gettext's msgfmt, and the translations compiled,
#   - the Debian libraries and fonts WeasyPrint prints PDF documents with (Pango, HarfBuzz's
#     subsetter, DejaVu fonts), installed when missing, on every run,
#   - with --browser (what scripts/run-tests needs): Debian's chromium at /usr/bin/chromium, and
#     poppler-utils (pdftotext, pdffonts, pdfinfo) for the tests that read the PDFs back.
# Usage: scripts/bootstrap.sh [--browser]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
STAMP="$VENV/.chibo-pyproject.sha256"

want_browser=0
for arg in "$@"; do
    case "$arg" in
        --browser) want_browser=1 ;;
        -h|--help) echo "usage: $0 [--browser]"; exit 0 ;;
        *) echo "bootstrap: unknown argument: $arg (usage: $0 [--browser])" >&2; exit 2 ;;
    esac
done

say() { echo "bootstrap: $*"; }
die() { echo "bootstrap: ERROR: $*" >&2; exit 1; }

# --- apt helpers ------------------------------------------------------------------
SUDO=()
apt_ready=0
apt_updated=0

apt_prepare() {
    [ "$apt_ready" = 1 ] && return 0
    command -v apt-get >/dev/null 2>&1 \
        || die "apt-get not found: install $* by hand (this script supports Debian/Ubuntu)."
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 \
            || die "need root or sudo to install $* with apt-get (run as root, or install sudo)."
        SUDO=(sudo)
    fi
    apt_ready=1
}

# apt_install PKG... — apt-get update (once per run), then install. Waits up to 10 min
# for another apt/dpkg process holding the lock. Returns non-zero on failure.
apt_install() {
    apt_prepare "$@"
    local lock=(-o DPkg::Lock::Timeout=600)
    if [ "$apt_updated" = 0 ]; then
        say "apt-get update"
        ${SUDO[@]+"${SUDO[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get "${lock[@]}" update -qq || return 1
        apt_updated=1
    fi
    say "apt-get install $*"
    ${SUDO[@]+"${SUDO[@]}"} env DEBIAN_FRONTEND=noninteractive \
        apt-get "${lock[@]}" install -y -qq --no-install-recommends "$@" || return 1
}

# --- Python 3.11+ -------------------------------------------------------------------
is_py311() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1; }

find_python() {
    local c
    for c in ${CHIBO_PYTHON:-} python3 python3.13 python3.12 python3.11; do
        if command -v "$c" >/dev/null 2>&1 && is_py311 "$c"; then
            command -v "$c"
            return 0
        fi
    done
    return 1
}

if [ -x "$VENV/bin/python" ] && is_py311 "$VENV/bin/python"; then
    :  # existing virtualenv is usable
else
    PY="$(find_python)" || die "Python 3.11 or newer is required, but none was found
  (tried: ${CHIBO_PYTHON:+$CHIBO_PYTHON }python3 python3.13 python3.12 python3.11).
  On Debian/Ubuntu: apt-get install python3 python3-venv  (Debian 12+ / Ubuntu 24.04+ ship 3.11+),
  or set CHIBO_PYTHON=/path/to/python3.11."
    say "creating virtualenv .venv with $PY ($("$PY" -c 'import platform; print(platform.python_version())'))"
    if ! "$PY" -m venv --clear "$VENV" >/dev/null 2>&1; then
        # Debian/Ubuntu split venv/ensurepip out of the interpreter package.
        pyver="$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
        say "'$PY -m venv' failed; trying to install python${pyver}-venv"
        apt_install "python${pyver}-venv" || apt_install python3-venv \
            || die "cannot create a virtualenv: install the venv module (apt-get install python3-venv)."
        "$PY" -m venv --clear "$VENV" || die "cannot create the virtualenv in $VENV."
    fi
    rm -f "$STAMP"
fi

# --- pip install -e '.[dev]' at the tested versions (only when pyproject.toml or constraints.txt changed)
# constraints.txt pins every package of the tested set (make it anew with scripts/lock), so an
# install today, next year or from a local mirror gets the same versions the tests passed with.
want_sum="$(cat "$ROOT/pyproject.toml" "$ROOT/constraints.txt" | sha256sum | cut -d' ' -f1)"
have_sum="$(cat "$STAMP" 2>/dev/null || true)"
if [ "$want_sum" != "$have_sum" ] || [ ! -x "$VENV/bin/chibo" ]; then
    say "pip install -c constraints.txt -e '.[dev]'"
    (cd "$ROOT" && "$VENV/bin/python" -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]') \
        || die "pip install -e '.[dev]' failed (see the messages above)."
    echo "$want_sum" >"$STAMP"
fi

# --- gettext (msgfmt) and compiled translations ------------------------------------------
if ! command -v msgfmt >/dev/null 2>&1; then
    apt_install gettext || die "could not install gettext (msgfmt), needed to compile translations."
    command -v msgfmt >/dev/null 2>&1 || die "msgfmt still missing after installing gettext."
fi

if [ -n "$(find "$ROOT/src/chibo" -path '*/locale/*' -name '*.po' -print -quit 2>/dev/null)" ]; then
    (cd "$ROOT/src/chibo" && "$VENV/bin/chibo" compilemessages --ignore=.venv -v 0) \
        || die "compilemessages failed."
fi

# --- WeasyPrint's libraries and fonts (PDF documents) ------------------------------------------
# deb_installed PKG — is the Debian package installed (not merely known, or removed with its config)?
deb_installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }

# Pango (>= 1.44) lays out the text, HarfBuzz's subsetter embeds only the glyphs used, and the
# DejaVu fonts hold every Vietnamese letter; -extra adds the italic and condensed faces the
# party's document layout and the wide tables use. Debian bookworm has them all.
PDF_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-dejavu-extra)
if command -v dpkg-query >/dev/null 2>&1; then
    need=()
    for pkg in "${PDF_PACKAGES[@]}"; do
        deb_installed "$pkg" || need+=("$pkg")
    done
    if [ "${#need[@]}" -gt 0 ]; then
        apt_install "${need[@]}" || die "could not install ${need[*]} with apt-get.
  chibo prints PDF documents with WeasyPrint, which needs them
  (as root: apt-get install ${PDF_PACKAGES[*]})."
    fi
else
    say "not a Debian system: make sure Pango >= 1.44, HarfBuzz (with its subset library) and the DejaVu fonts are installed"
fi

# --- Debian's chromium for the browser tests, poppler-utils for the PDF tests ----------------------
if [ "$want_browser" = 1 ]; then
    need=()
    [ -x /usr/bin/chromium ] || need+=(chromium)
    command -v pdftotext >/dev/null 2>&1 && command -v pdffonts >/dev/null 2>&1 || need+=(poppler-utils)
    if [ "${#need[@]}" -gt 0 ]; then
        apt_install "${need[@]}" || die "could not install ${need[*]} with apt-get.
  The browser tests need Debian's chromium at /usr/bin/chromium and the PDF tests poppler-utils;
  install them (as root: apt-get install chromium poppler-utils) and re-run."
    fi
    [ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing after installing the chromium package;
  the browser tests need Debian's chromium there."
    /usr/bin/chromium --version >/dev/null 2>&1 \
        || die "/usr/bin/chromium is installed but does not run ('/usr/bin/chromium --version' failed)."
fi

say "ready (.venv: $("$VENV/bin/python" -c 'import platform; print(platform.python_version())'))"
