"""`fargate-ops local serve` refuses what it cannot serve before starting anything."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path
from typing import Any

from tests.local.serving import SCRIPT, bare_environment


def serve(*args: str) -> tuple[int, dict[str, Any], str]:
    completed = subprocess.run(
        [str(SCRIPT), "local", "serve", *args, "--output", "json"],
        capture_output=True,
        text=True,
        env=bare_environment(),
        timeout=120,
        check=False,
    )
    return completed.returncode, json.loads(completed.stdout), completed.stderr


def test_a_bad_world_file_exits_2_naming_the_field_and_its_line(tmp_path: Path) -> None:
    world = tmp_path / "world.yaml"
    world.write_text("cluster: shop\nservices:\n  - {name: web-blue, image: 'shop:v1', desired_count: -1}\n")

    code, error, _ = serve("--world", str(world))

    assert code == 2
    assert (
        f"{world}:3: services.0.desired_count: Input should be greater than or equal to 0" in error["error"]
    )


def test_a_scenario_and_a_world_file_together_exit_2(tmp_path: Path) -> None:
    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "all-at-once.yaml"
    code, error, _ = serve(str(scenario), "--world", str(tmp_path / "w.yaml"))
    assert code == 2
    assert "not both" in error["error"]


def test_a_start_that_is_not_a_time_exits_2() -> None:
    code, error, _ = serve("--start", "tomorrow-ish")
    assert code == 2
    assert "--start 'tomorrow-ish'" in error["error"]


def test_a_taken_port_exits_7_before_the_world_starts() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code, error, stderr = serve("--port", str(port))
    assert (code, error["problem"]) == (7, "port-in-use")
    assert f"cannot listen on 127.0.0.1:{port}" in error["error"]
    assert "Traceback" not in stderr
