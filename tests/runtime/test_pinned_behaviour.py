"""What the local runtime relies on in the libraries beside moto, checked by behaviour, not by name.

Each is pinned exactly in pyproject.toml; an upgrade that changes one of these behaviours fails here
first, naming it, instead of as a strange scenario result.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _exact_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = {}
    for requirement in project["optional-dependencies"]["local"]:
        name, sep, pinned = requirement.partition("==")
        if sep:
            pins[name.split("[")[0].strip()] = pinned.strip()
    return pins


def test_every_exactly_pinned_library_of_the_runtime_is_the_installed_version() -> None:
    pins = _exact_pins()

    assert {"moto", "aws-sam-translator", "jsonata-python", "croniter"} <= set(pins)
    assert {name: version(name) for name in pins} == pins


def test_jsonata_evaluates_the_expressions_the_state_machine_uses() -> None:
    import jsonata

    merged = jsonata.Jsonata("$merge([{'a': 1, 'failure': null}, {'failure': {'Error': 'X'}}])").evaluate(
        None
    )
    missing = jsonata.Jsonata("$exists({'a': 1}.b) ? 'yes' : 'no'").evaluate(None)
    text = jsonata.Jsonata("$string(3) & '%'").evaluate(None)

    assert merged == {"a": 1, "failure": {"Error": "X"}}
    assert (missing, text) == ("no", "3%")


def test_the_sam_transform_makes_a_scheduler_schedule_and_a_role_the_runtime_finds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from samtranslator.translator.transform import transform

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # the translator resolves AWS::Region

    class NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    template = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Runtime": "python3.13",
                    "Handler": "app.handler",
                    "CodeUri": "s3://bucket/key.zip",
                    "Events": {
                        "Daily": {"Type": "ScheduleV2", "Properties": {"ScheduleExpression": "rate(1 day)"}}
                    },
                },
            }
        },
    }

    resources = transform(template, {}, NoManagedPolicies())["Resources"]

    kinds = {r["Type"] for r in resources.values()}
    assert {"AWS::Lambda::Function", "AWS::IAM::Role", "AWS::Scheduler::Schedule"} <= kinds
    schedule = next(r for r in resources.values() if r["Type"] == "AWS::Scheduler::Schedule")
    assert schedule["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": ["Fn", "Arn"]}


def test_croniter_reads_a_scheduler_cron_in_its_timezone() -> None:
    from zoneinfo import ZoneInfo

    from croniter import croniter

    start = datetime(2026, 3, 7, 12, 0, tzinfo=ZoneInfo("America/New_York"))
    # 03:00 local every day, across the spring-forward night of 2026-03-08 (02:00 -> 03:00)
    after = croniter("0 3 * * *", start).get_next(datetime)

    assert after.astimezone(UTC) == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
