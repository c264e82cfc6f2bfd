"""Shared pieces of the package's tests: the command-line binary they compare with."""

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cli():
    """Runs `loophole ARGS --json` (the binary of $LOOPHOLE_BIN, or target/release) and parses its output."""
    binary = Path(os.environ.get("LOOPHOLE_BIN", ROOT / "target" / "release" / "loophole"))
    if not binary.exists():
        pytest.fail(f"no loophole binary at {binary}: run `cargo build --release` or set LOOPHOLE_BIN")

    def run(*args):
        out = subprocess.run([str(binary), *args, "--json"], check=True, capture_output=True, text=True)
        return json.loads(out.stdout)

    return run
