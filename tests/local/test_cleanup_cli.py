"""`fargate-ops cleanup plan|apply` as a user runs it: against `fargate-ops local serve`, over HTTP."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from tests.local.serving import Served, bare_environment, fargate_ops, local_serve

pytestmark = pytest.mark.xdist_group("cleanup_cli")

WORLD = """\
cluster: shop
services:
  - {name: web-blue, image: "shop:v1", desired_count: 1, container_name: web}
  - {name: web-green, image: "shop:v1", desired_count: 0, container_name: web}
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    workdir = tmp_path_factory.mktemp("serve")
    (workdir / "world.yaml").write_text(WORLD)
    with local_serve(workdir, "--world", str(workdir / "world.yaml"), env=bare_environment()) as served:
        yield served
        served.process.send_signal(signal.SIGINT)
        assert served.process.wait(timeout=60) == 0


def test_a_plan_lists_what_is_kept_and_why_and_changes_nothing(served: Served) -> None:
    result, body = fargate_ops(served.url, "cleanup", "plan", "--keep", "1")

    assert result.exit_code == 0
    assert body["dry_run"] is True and body["done"] == {}
    kept = {k["resource"].rsplit("/", 1)[-1]: k["reasons"] for k in body["plan"]["kept"]}
    assert any("PRIMARY deployment of service shop/web-blue" in r for r in kept["web-blue:1"])


def test_apply_without_yes_is_refused_with_exit_2(served: Served) -> None:
    result, body = fargate_ops(served.url, "cleanup", "apply")

    assert result.exit_code == 2
    assert "--yes" in body["error"]


def test_apply_with_yes_runs_to_completion_and_prints_its_progress(served: Served) -> None:
    result, body = fargate_ops(served.url, "cleanup", "apply", "--yes", "--kind", "task-definition")

    assert result.exit_code == 0
    assert body["dry_run"] is False and body["complete"] is True and body["runs"] == 1
    text, _ = fargate_ops(served.url, "cleanup", "apply", "--yes", output="text")
    assert "Cleanup plan at" in text.stdout and "done:" in text.stdout
