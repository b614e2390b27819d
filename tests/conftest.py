"""Shared test helpers: one loader for event files, and a clean clock for every test."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from fargate_ops import clock
from tests import self_contained

self_contained.install()

ROOT = Path(__file__).resolve().parents[1]
PROJECT_EVENTS = ROOT / "events"
# Real AWS events, copied into the project with their sources (events/aws/README.md).
AWS_SAMPLES = PROJECT_EVENTS / "aws"


def aws_sample_files() -> list[Path]:
    files = sorted(AWS_SAMPLES.glob("*.json"))
    assert files, f"no AWS sample events found in {AWS_SAMPLES}"
    return files


def _load_event(name: str) -> dict[str, Any]:
    for folder in (PROJECT_EVENTS, AWS_SAMPLES):
        path = folder / name
        if path.exists():
            loaded: dict[str, Any] = json.loads(path.read_text())
            return loaded
    raise FileNotFoundError(name)


@pytest.fixture
def load_event() -> Callable[[str], dict[str, Any]]:
    """Load an event by file name, from this project's events/ or the real AWS samples."""
    return _load_event


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test asking for ``aws_sample_file`` runs once per real AWS sample event."""
    if "aws_sample_file" in metafunc.fixturenames:
        files = aws_sample_files()
        metafunc.parametrize("aws_sample_file", files, ids=[f.stem for f in files])


@pytest.fixture(autouse=True)
def _real_clock_after_each_test() -> Iterator[None]:
    yield
    clock.set_time_source(None)
