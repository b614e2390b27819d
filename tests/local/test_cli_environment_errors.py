"""Errors of the environment, as a user meets them: the console script in a bare environment.

No region, no credentials, expired ones, an endpoint nothing listens on, a denied action: each is
one line that says what to do, exit code 7, a JSON error document under `--output json`, and no
traceback unless --debug.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.local.serving import SCRIPT, bare_environment

pytestmark = pytest.mark.xdist_group("cli_environment")

UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing listens there
LISTENER = (
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/0123456789abcdef/0123456789abcdef"
)
DEPLOY = [
    "deploy", "--cluster", "shop", "--app", "web", "--slots", "web-blue,web-green",
    "--listener", LISTENER, "--image", "web=shop:v2",
]  # fmt: skip


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def document(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.stdout)
        return loaded


def fargate_ops(*args: str, output: str | None = "json", **env: str) -> Run:
    command = [str(SCRIPT), *args, *(["--output", output] if output else [])]
    completed = subprocess.run(
        command, capture_output=True, text=True, env=bare_environment(**env), timeout=120, check=False
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)


def assert_environment_error(run: Run, problem: str) -> dict[str, Any]:
    assert run.code == 7, (run.stdout, run.stderr[-2000:])
    assert "Traceback" not in run.stderr
    document = run.document
    assert (document["exit_code"], document["problem"]) == (7, problem)
    assert "\n" not in document["error"]
    return document


def test_no_region_exits_7_saying_how_to_give_one() -> None:
    document = assert_environment_error(fargate_ops("status", "d1"), "no-region")
    assert "pass --region REGION, or set AWS_DEFAULT_REGION" in document["error"]
    assert "fargate-ops local serve" in document["error"]


def test_no_region_in_text_is_one_line_on_stderr_and_nothing_on_stdout() -> None:
    run = fargate_ops("history", output=None)
    assert run.code == 7
    assert run.stdout == ""
    assert run.stderr.startswith("error: no AWS region:")
    assert run.stderr.count("\n") == 1


def test_no_credentials_exits_7_saying_how_to_configure_them() -> None:
    document = assert_environment_error(
        fargate_ops("status", "d1", "--region", "eu-west-1"), "no-credentials"
    )
    assert "no AWS credentials found" in document["error"]
    assert "aws configure" in document["error"]


def test_expired_credentials_exit_7_saying_to_refresh_them(tmp_path: Path) -> None:
    # A credential process (what `aws sso` and vaults plug in) that hands back expired credentials.
    process = tmp_path / "expired.py"
    process.write_text(
        "import json\nprint(json.dumps({'Version': 1, 'AccessKeyId': 'AKIAEXAMPLE', 'SecretAccessKey': 's',"
        " 'SessionToken': 't', 'Expiration': '2020-01-01T00:00:00Z'}))\n"
    )
    config = tmp_path / "config"
    config.write_text(f"[default]\nregion = eu-west-1\ncredential_process = {sys.executable} {process}\n")

    run = fargate_ops("history", "--endpoint-url", UNREACHABLE, AWS_CONFIG_FILE=str(config))

    document = assert_environment_error(run, "expired-credentials")
    assert "have expired" in document["error"] and "aws sso login" in document["error"]


def test_an_unreachable_endpoint_exits_7_naming_it() -> None:
    run = fargate_ops("status", "d1", "--endpoint-url", UNREACHABLE)
    document = assert_environment_error(run, "unreachable")
    assert f"cannot reach {UNREACHABLE}/" in document["error"]
    assert "is `fargate-ops local serve` running there?" in document["error"]


def test_recover_with_an_unreachable_endpoint_exits_7_without_a_traceback() -> None:
    run = fargate_ops("recover", "d1", "--apply", "--endpoint-url", UNREACHABLE)

    assert_environment_error(run, "unreachable")


def test_debug_shows_the_traceback_before_the_line_global_or_after_the_verb() -> None:
    for run in (
        fargate_ops("--debug", "status", "d1"),
        fargate_ops("status", "d1", "--debug"),
        fargate_ops("status", "d1", FARGATE_OPS_DEBUG="1"),
    ):
        assert run.code == 7
        assert "Traceback" in run.stderr and "NoRegionError" in run.stderr
        assert run.document["problem"] == "no-region"


@pytest.fixture(scope="module")
def iam_enforcing_moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A plain moto server that checks IAM, a fargate-ops-shaped stack in it, and a `ci` user who may
    read the stack and the table but not start executions: (its URL, the user's keys)."""
    log = tmp_path_factory.mktemp("moto") / "moto.err"
    with log.open("wb") as err:
        server = subprocess.Popen(
            [str(SCRIPT.with_name("moto_server")), "-p", "0"], stderr=err, env=bare_environment()
        )
    try:
        url = _listening_url(server, log)
        admin = {"endpoint_url": url, "region_name": "us-east-1"}
        admin |= {"aws_access_key_id": "admin", "aws_secret_access_key": "admin"}
        iam = boto3.client("iam", **admin)  # type: ignore[call-overload]
        iam.create_user(UserName="ci")
        key = iam.create_access_key(UserName="ci")["AccessKey"]
        allow = ["cloudformation:DescribeStacks", "dynamodb:GetItem"]
        policy = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": allow, "Resource": "*"}],
        }
        iam.put_user_policy(UserName="ci", PolicyName="read", PolicyDocument=json.dumps(policy))
        machine = "arn:aws:states:us-east-1:123456789012:stateMachine:fargate-ops-deploy"
        template = {
            "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
            "Outputs": {"DeployStateMachineArn": {"Value": machine}, "OpsTableName": {"Value": "ops"}},
        }
        cloudformation = boto3.client("cloudformation", **admin)  # type: ignore[call-overload]
        cloudformation.create_stack(StackName="fargate-ops", TemplateBody=json.dumps(template))
        # From now on every call is authenticated and authorised (moto's own switch).
        switch = urllib.request.Request(
            f"{url}/moto-api/reset-auth", b"0", headers={"Content-Type": "text/plain"}, method="POST"
        )
        urllib.request.urlopen(switch, timeout=30).close()
        yield url, {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    finally:
        server.terminate()
        server.wait(timeout=30)


def _listening_url(server: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = re.search(r"Running on (http://127\.0\.0\.1:\d+)", log.read_text())
        if found:
            return found.group(1)
        assert server.poll() is None, log.read_text()
        time.sleep(0.1)
    raise AssertionError(f"moto_server did not start: {log.read_text()}")


def test_access_denied_exits_7_naming_the_action(iam_enforcing_moto: tuple[str, dict[str, str]]) -> None:
    url, ci = iam_enforcing_moto
    run = fargate_ops(*DEPLOY, "--endpoint-url", url, **ci)
    document = assert_environment_error(run, "access-denied")
    # The CLI's first Step Functions call looks for a deploy of that id to attach to.
    assert document["error"].startswith("access denied to states:DescribeExecution: grant it")
    assert "user/ci is not authorized to perform: states:DescribeExecution" in document["error"]


def test_credentials_aws_does_not_know_exit_7(iam_enforcing_moto: tuple[str, dict[str, str]]) -> None:
    url, _ = iam_enforcing_moto
    run = fargate_ops(
        "history", "--endpoint-url", url, AWS_ACCESS_KEY_ID="AKIANOBODY", AWS_SECRET_ACCESS_KEY="x"
    )
    document = assert_environment_error(run, "rejected-credentials")
    assert "InvalidClientTokenId" in document["error"]
