"""`fargate-ops scaling ...` as a user runs it: against `fargate-ops local serve`, over HTTP.

One server for the module (its clock at 60x); the verbs run in order against it.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from tests.local.serving import Served, fargate_ops, local_serve

pytestmark = pytest.mark.xdist_group("scaling_cli")

WORLD = """\
cluster: office
services:
  - {name: api, image: "api:v1", desired_count: 1, tags: {"fargate-ops:schedule": office}}
"""
SCHEDULE = """\
name: office
timezone: Asia/Tokyo
periods:
  - {name: office-hours, begin: "09:00", end: "18:00", weekdays: mon-fri, desired: 3}
holidays: {countries: [JP]}
default: {desired: 0}
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    workdir = tmp_path_factory.mktemp("serve")
    (workdir / "world.yaml").write_text(WORLD)
    with local_serve(workdir, "--world", str(workdir / "world.yaml"), "--speed", "60") as served:
        yield served
        served.process.send_signal(signal.SIGINT)
        assert served.process.wait(timeout=60) == 0


def test_an_invalid_schedule_exits_2_naming_its_field_and_stores_nothing(
    served: Served, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SCHEDULE.replace("mon-fri", "mon#6"))
    result, body = fargate_ops(served.url, "scaling", "create", str(bad))
    assert result.exit_code == 2
    assert "periods.0.weekdays" in body["error"] and "nothing was stored" in body["error"]
    _, listed = fargate_ops(served.url, "scaling", "list")
    assert listed["schedules"] == []


def test_a_schedule_is_created_listed_shown_and_cannot_be_created_twice(
    served: Served, tmp_path: Path
) -> None:
    good = tmp_path / "office.yaml"
    good.write_text(SCHEDULE)
    result, body = fargate_ops(served.url, "scaling", "create", str(good))
    assert (result.exit_code, body["schedule"], body["reconciling"]) == (0, "office", True)
    _, listed = fargate_ops(served.url, "scaling", "list")
    assert [s["name"] for s in listed["schedules"]] == ["office"]
    _, shown = fargate_ops(served.url, "scaling", "show", "office")
    assert shown["timezone"] == "Asia/Tokyo" and shown["periods"][0]["weekdays"] == ["mon-fri"]
    again, refused = fargate_ops(served.url, "scaling", "create", str(good))
    assert again.exit_code == 2 and "update it" in refused["error"]


def test_preview_lists_each_change_in_the_schedules_timezone_and_utc(served: Served) -> None:
    result, body = fargate_ops(
        served.url,
        "scaling",
        "preview",
        "--schedule",
        "office",
        "--days",
        "4",
        "--start",
        "2026-11-21T00:00:00+09:00",
    )
    assert result.exit_code == 0
    (office,) = body["schedules"]
    # Saturday, Sunday, then Monday 11-23 a public holiday: the first change is Tuesday 09:00 JST.
    assert [(c["at_local"], c["at_utc"], c["after"]["desired"]) for c in office["changes"]] == [
        ("2026-11-24T09:00:00+09:00", "2026-11-24T00:00:00+00:00", 3),
        ("2026-11-24T18:00:00+09:00", "2026-11-24T09:00:00+00:00", 0),
    ]
    assert len(office["hourly"]) == 96 and office["hourly"][3 * 24 + 9] == 3


def test_the_preview_draws_capacity_by_hour_in_the_terminal(served: Served) -> None:
    result, _ = fargate_ops(
        served.url, "scaling", "preview", "--schedule", "office", "--days", "4",
        "--start", "2026-11-21T00:00:00+09:00", output="text",
    )  # fmt: skip
    assert result.exit_code == 0
    tuesday = next(line for line in result.stdout.splitlines() if "Tue 11-24" in line)
    assert " " * 9 + "█" * 9 + " " * 6 in tuesday


def test_an_override_holds_the_service_from_now_until_it_expires(served: Served) -> None:
    result, body = fargate_ops(
        served.url, "scaling", "override", "api", "--cluster", "office", "--desired", "4", "--until", "2h"
    )
    assert result.exit_code == 0, result.output
    assert body["desired"] == 4 and body["reconciling"] is True
    ecs = boto3.client(
        "ecs",
        endpoint_url=served.url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        service = ecs.describe_services(cluster="office", services=["api"])["services"][0]
        if service["desiredCount"] == 4:
            break
        time.sleep(0.5)
    assert service["desiredCount"] == 4


def test_an_override_until_a_past_time_is_refused(served: Served) -> None:
    result, body = fargate_ops(
        served.url, "scaling", "override", "api", "--cluster", "office", "--desired", "4",
        "--until", "2020-01-01T00:00:00Z",
    )  # fmt: skip
    assert result.exit_code == 2 and "in the past" in body["error"]


def test_a_deleted_schedule_is_gone(served: Served) -> None:
    result, _ = fargate_ops(served.url, "scaling", "delete", "office")
    assert result.exit_code == 0
    again, body = fargate_ops(served.url, "scaling", "delete", "office")
    assert again.exit_code == 2 and "no schedule office" in body["error"]
