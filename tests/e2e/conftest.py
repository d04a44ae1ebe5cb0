"""End-to-end fixtures: the three real servers, started the way ``make run`` starts them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.stack import MODEL, ROOT, Stack, StackConfig, free_port


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: the test command trains it before pytest")
    data_dir: Path = tmp_path_factory.mktemp("e2e-data")
    env = {"PLAINRECORD_DATA_DIR": str(data_dir), "PLAINRECORD_DEMO_MODE": "true"}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "api.cli", "demo"], check=True, cwd=ROOT,
                   env={**os.environ, **env}, capture_output=True)
    cfg = StackConfig(api_port=free_port(), rasa_port=free_port(), action_port=free_port(),
                      env=env, log_dir=data_dir / "log")
    s = Stack(cfg)
    s.start(timeout=240)
    yield s
    s.stop()
