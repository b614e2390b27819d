"""The scenario gate: a run fails when an execution comes within half of a Step Functions hard limit."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml
from click.testing import CliRunner

from fargate_ops_cli.local.expectations import check_headroom
from fargate_ops_cli.local.sfn_limits import HISTORY_GATE_EVENTS, PAYLOAD_GATE_BYTES
from fargate_ops_cli.main import cli


def _verdicts(payload: int, events: int) -> list[bool]:
    report: Any = SimpleNamespace(largest_payload_bytes={"d1": payload}, history_events={"d1": events})
    return [result["ok"] for result in check_headroom(report)]


def test_half_of_either_limit_is_where_a_run_stops_being_green() -> None:
    assert PAYLOAD_GATE_BYTES == 131_072 and HISTORY_GATE_EVENTS == 12_500
    assert _verdicts(PAYLOAD_GATE_BYTES - 1, HISTORY_GATE_EVENTS - 1) == [True, True]
    assert _verdicts(PAYLOAD_GATE_BYTES, HISTORY_GATE_EVENTS - 1) == [False, True]
    assert _verdicts(PAYLOAD_GATE_BYTES - 1, HISTORY_GATE_EVENTS) == [True, False]


def test_a_deploy_whose_input_is_over_half_the_payload_limit_fails_the_run(tmp_path: Path) -> None:
    scenario = {
        "name": "padded",
        "description": "an input that carries 140 kB it does not need",
        "world": {
            "cluster": "demo",
            "services": [
                {"name": "web-blue", "image": "app:v1", "desired_count": 1, "container_name": "web"},
                {"name": "web-green", "image": "app:v1", "desired_count": 0, "container_name": "web"},
            ],
        },
        "timeline": [
            {
                "at": "1m",
                "deploy": {
                    "id": "d1",
                    "application": "web",
                    "images": {"web": "app:v2"},
                    "options": {"notes": "x" * 140_000},
                },
            }
        ],
        "run_for": "10m",
    }
    path = tmp_path / "padded.yaml"
    path.write_text(yaml.safe_dump(scenario))

    result = CliRunner().invoke(cli, ["local", "run", str(path), "--output", "json"])
    report = json.loads(result.stdout)

    assert result.exit_code == 1
    assert report["largest_payload_bytes"]["d1"] > 140_000
    assert report["deploys"][0]["largest_payload_bytes"] == report["largest_payload_bytes"]["d1"]
    unmet = [e["what"] for e in report["expectations"] if not e["ok"]]
    assert unmet == ["execution d1 largest payload"]
