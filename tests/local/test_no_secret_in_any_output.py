"""A deploy that sets a secret-looking environment variable: its value reaches green's task definition
and nothing else. Searched: the whole JSON report, every notification published, every item of the
table (deploy records, waits, timelines) and every line the handlers logged, with the functions
logging at DEBUG (the full events) so that the most talkative configuration is the one checked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fargate_ops.domain.redaction import fingerprint
from fargate_ops_cli.local.clients import as_world
from fargate_ops_cli.local.runner import ScenarioRunner
from fargate_ops_cli.local.runtime import LocalRuntime
from fargate_ops_cli.local.scenario import load

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "deploy" / "secret-environment.yaml"
SECRET = "s3cr3t-VALUE-123"
OLD_SECRET = "0ld-T0KEN-456"  # blue's, removed by the deploy


class Outputs:
    """What a run leaves for people and logs to read, gathered before the runtime closes."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.logs = ""
        self.task_definition: dict[str, Any] = {}
        self.tokens: set[str] = set()

    def gather(self, runtime: LocalRuntime) -> None:
        assert runtime.stack is not None
        with as_world():
            dynamodb = runtime.clients.client("dynamodb")
            table = runtime.stack.outputs["OpsTableName"]
            for page in dynamodb.get_paginator("scan").paginate(TableName=table):
                self.items += page["Items"]
            ecs = runtime.clients.client("ecs")
            service = ecs.describe_services(cluster="shop", services=["web-green"])["services"][0]
            definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])
            self.task_definition = definition["taskDefinition"]
        self.logs = "".join(runtime.lambdas.log)
        # The waits' tokens, as the state machine handed them to the deploy step.
        self.tokens = {
            str(i.event["task_token"])
            for i in runtime.lambdas.invocations
            if isinstance(i.event, dict) and i.event.get("task_token")
        }


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Outputs]:
    text = (ROOT / "template.yaml").read_text()
    assert "POWERTOOLS_LOG_LEVEL: INFO" in text  # the one line this test changes
    talkative = tmp_path_factory.mktemp("template") / "template.yaml"
    talkative.write_text(text.replace("POWERTOOLS_LOG_LEVEL: INFO", "POWERTOOLS_LOG_LEVEL: DEBUG"))
    outputs = Outputs()
    runner = ScenarioRunner(
        load(SCENARIO), base_dir=SCENARIO.parent, template=talkative, on_finish=outputs.gather
    )
    report = runner.run().as_dict()
    assert [d["status"] for d in report["deploys"]] == ["SUCCEEDED"], report["deploys"]
    return report, outputs


def test_the_secret_did_reach_greens_task_definition(run: tuple[dict[str, Any], Outputs]) -> None:
    _, outputs = run
    [web] = outputs.task_definition["containerDefinitions"]

    assert {"name": "DB_PASSWORD", "value": SECRET} in web["environment"]


def test_the_handlers_logged_the_full_events_at_debug(run: tuple[dict[str, Any], Outputs]) -> None:
    _, outputs = run

    assert '"message":"event"' in outputs.logs.replace(" ", "")  # else the search below proves little
    assert "DB_PASSWORD" in outputs.logs


@pytest.mark.parametrize("value", [SECRET, OLD_SECRET])
def test_the_value_appears_in_no_report_notification_record_or_log(
    run: tuple[dict[str, Any], Outputs], value: str
) -> None:
    report, outputs = run

    assert value not in json.dumps(report)
    assert value not in json.dumps(report["notifications"])
    assert value not in json.dumps(outputs.items)
    assert value not in outputs.logs


def test_outputs_show_the_name_and_a_hash_of_the_value(run: tuple[dict[str, Any], Outputs]) -> None:
    report, outputs = run
    [record] = [i for i in outputs.items if i["pk"]["S"] == "DEPLOY#d1"]

    [notification] = report["notifications"]
    assert notification["message"]["change"]["environment"]["web"] == {
        "DB_PASSWORD": fingerprint(SECRET),
        "OLD_TOKEN": None,
    }
    assert fingerprint(SECRET) in json.dumps(record["change"]) and fingerprint(SECRET) in json.dumps(
        record["input"]
    )


def test_no_task_token_is_logged(run: tuple[dict[str, Any], Outputs]) -> None:
    _, outputs = run

    assert len(outputs.tokens) >= 3  # green ready, the bake, the rollback window
    assert '"task_token":"(redacted)"' in outputs.logs.replace(" ", "")
    assert not [token for token in outputs.tokens if token in outputs.logs]
