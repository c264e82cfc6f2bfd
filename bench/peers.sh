#!/usr/bin/env bash
# Measures the Python peers (minigrid, safety-gridworlds-gymnasium) beside
# `loophole bench` on the same work, in one run, and prints the ratios.
# docs/PERFORMANCE.md has a measured table. Not run in CI: it installs from
# PyPI and its timings depend on the machine.
#
#   bench/peers.sh [PEER_STEPS] [LOOPHOLE_STEPS] [RUNS]
#
# Each side runs RUNS times (default 3), taking turns; each keeps its best.
#
# Needs python3 with venv and a network path to PyPI. The virtual
# environment is kept in bench/.venv (ignored by git) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."

peer_steps="${1:-200000}"
loophole_steps="${2:-50000000}"
runs="${3:-3}"
venv="bench/.venv"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet "minigrid>=3,<4" "safety-gridworlds-gymnasium>=2,<3"
fi

cargo build --release --quiet -p loophole
"$venv/bin/python" bench/peers.py target/release/loophole "$peer_steps" "$loophole_steps" "$runs"
