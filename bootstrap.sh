#!/usr/bin/env bash
# Install movspec into .venv (with its test tools) and run the main job: check every
# variant in spec/ against its expected verdicts, with the refinement and inductive-invariant
# checks of proofs/.
#
#   ./bootstrap.sh            install, then `movspec check spec/ proofs/`
#   ./bootstrap.sh --no-check install only
#
# npm: mermaid, for the diagram rendering test, when npm is present.
# Debian packages: chromium is used by the HTML report's browser test; it is installed when
# apt-get is usable (root or passwordless sudo), waiting up to 5 minutes for another apt or
# dpkg run to release its lock; the test skips only when it could not be (bootstrap says so).
# MOVSPEC_DOCKER=1 also installs docker.io and debootstrap (see below).
set -euo pipefail
cd "$(dirname "$0")"

run_check=1
[ "${1:-}" = "--no-check" ] && run_check=0

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "bootstrap: movspec needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)" >&2
    exit 1
fi

if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# anchors: tree-sitter's C grammar, for `movspec anchors --kernel DIR`; docker: the SDK of the
# Docker TLC backend (optional for users, needed by its unit tests)
.venv/bin/python -m pip install --quiet -e '.[test,anchors,docker]'

# apt-get waits for the dpkg lock (an unattended upgrade, another install) instead of failing
apt_opts=(-o DPkg::Lock::Timeout=300 -qq)

# `apt-get update` does not wait for the package lists' lock (DPkg::Lock::Timeout covers the
# dpkg lock only): while another apt holds it, try again every 5 s, for up to 5 minutes.
# Usage: apt_update APT-GET-COMMAND...
apt_update() {
    local out
    for _ in $(seq 60); do
        if out=$("$@" "${apt_opts[@]}" update 2>&1); then return 0; fi
        case "$out" in
            *"Could not get lock"*) sleep "${APT_RETRY_SECONDS:-5}" ;;
            *) echo "$out" >&2; return 1 ;;
        esac
    done
    echo "$out" >&2
    return 1
}

if ! command -v chromium >/dev/null 2>&1 && [ "${MOVSPEC_SKIP_APT:-0}" != 1 ]; then
    apt=""
    if [ "$(id -u)" = 0 ]; then apt="apt-get"; elif sudo -n true 2>/dev/null; then apt="sudo -n apt-get"; fi
    if [ -n "$apt" ]; then
        echo "bootstrap: installing chromium (Debian) for the HTML report test"
        (apt_update $apt && DEBIAN_FRONTEND=noninteractive $apt "${apt_opts[@]}" install -y chromium >/dev/null) \
            || echo "bootstrap: WARNING: could not install chromium (apt-get's message is above); the browser tests will be skipped" >&2
    else
        echo "bootstrap: not root: chromium not installed; the browser test will be skipped" >&2
    fi
fi

# Opt-in (MOVSPEC_DOCKER=1): docker.io and debootstrap, so the docker-marked tests can start
# a private Docker daemon and build an offline base image (as root; the default run needs
# neither).
if [ "${MOVSPEC_DOCKER:-0}" = 1 ] && ! command -v dockerd >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        echo "bootstrap: installing docker.io and debootstrap (Debian) for the docker-marked tests"
        (apt_update apt-get && DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y \
            --no-install-recommends docker.io debootstrap iptables >/dev/null) \
            || echo "bootstrap: could not install docker.io; the docker-marked tests will be skipped" >&2
    else
        echo "bootstrap: MOVSPEC_DOCKER=1 needs root; the docker-marked tests will be skipped" >&2
    fi
fi

# Mermaid's browser bundle, used by the test that renders the generated sequence diagrams in
# Chromium (the test skips without it).
if [ ! -f .cache/npm/node_modules/mermaid/dist/mermaid.min.js ] && command -v npm >/dev/null 2>&1; then
    npm install --silent --prefix .cache/npm --no-audit --no-fund mermaid@11 >/dev/null 2>&1 \
        || echo "bootstrap: could not install mermaid from npm; the diagram test will be skipped" >&2
fi

if [ "$run_check" = 1 ]; then
    exec .venv/bin/movspec check spec/ proofs/
fi
