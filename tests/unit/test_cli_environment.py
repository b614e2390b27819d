"""botocore's errors about the environment, as the CLI words them (operations/environment.py)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError

from fargate_ops_cli.commands.common import Session, is_loopback
from fargate_ops_cli.operations.environment import translate
from fargate_ops_cli.operations.errors import ExitCode


def client_error(
    code: str, message: str, operation: str = "StartExecution", status: int = 400
) -> ClientError:
    response = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, operation)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ExpiredToken", "The security token included in the request is expired"),  # query protocol
        ("ExpiredTokenException", "The security token included in the request is expired"),  # JSON
    ],
)
def test_an_expired_session_token_says_to_refresh_it(code: str, message: str) -> None:
    error = translate(client_error(code, message), endpoint=None)
    assert error is not None
    assert (error.problem, error.exit_code) == ("expired-credentials", ExitCode.ENVIRONMENT)
    assert "have expired" in str(error) and "aws sso login" in str(error)


def test_access_denied_names_the_action_aws_names() -> None:
    message = (
        "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: dynamodb:GetItem on"
        " resource: arn:aws:dynamodb:us-east-1:123456789012:table/ops because no identity-based policy"
        " allows the dynamodb:GetItem action"
    )
    error = translate(client_error("AccessDeniedException", message, "GetItem"), endpoint=None)
    assert error is not None and error.problem == "access-denied"
    assert str(error).startswith("access denied to dynamodb:GetItem: grant it")


def test_access_denied_without_the_action_in_the_message_names_the_operations_action() -> None:
    error = translate(
        client_error("AccessDenied", "Access Denied", "DescribeStacks"),
        endpoint=None,
        action_of=lambda operation: f"cloudformation:{operation}",
    )
    assert error is not None
    assert "access denied to cloudformation:DescribeStacks" in str(error)


def test_a_connect_timeout_to_aws_points_at_the_network() -> None:
    url = "https://states.eu-west-1.amazonaws.com/"
    error = translate(ConnectTimeoutError(endpoint_url=url, error="timed out"), endpoint=None)
    assert error is not None and error.problem == "unreachable"
    assert str(error) == f"timed out connecting to {url}: check your network, proxy (HTTPS_PROXY) and region"


def test_a_refused_custom_endpoint_points_at_the_endpoint_setting() -> None:
    url = "http://127.0.0.1:5050/"
    error = translate(EndpointConnectionError(endpoint_url=url, error="refused"), endpoint=url)
    assert error is not None
    assert "check --endpoint-url or AWS_ENDPOINT_URL" in str(error)


def test_other_aws_errors_still_get_one_line_and_exit_7() -> None:
    error = translate(client_error("InternalFailure", "oops", "ListExecutions", 500), endpoint=None)
    assert error is not None
    assert (error.problem, int(error.exit_code)) == ("aws-error", 7)
    assert "ListExecutions: InternalFailure: oops" in str(error)


def test_an_error_that_is_not_botocores_is_left_alone() -> None:
    assert translate(KeyError("bug"), endpoint=None) is None
    assert translate(RuntimeError("something else"), endpoint=None) is None


def test_the_session_names_the_iam_action_of_its_clients_operations() -> None:
    session = Session("fargate-ops", "eu-west-1", "json")
    session.client("stepfunctions")
    session.client("cloudformation")
    assert session.action_of("StartExecution") == "states:StartExecution"
    assert session.action_of("DescribeStacks") == "cloudformation:DescribeStacks"


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://localhost:5050", True),
        ("http://127.0.0.1:5050", True),
        ("http://[::1]:5050", True),
        ("https://states.eu-west-1.amazonaws.com", False),
        ("http://10.0.0.5:4566", False),
        (None, False),
    ],
)
def test_only_loopback_endpoints_count_as_local(url: str | None, loopback: bool) -> None:
    assert is_loopback(url) is loopback


def test_a_local_endpoint_without_credentials_signs_with_placeholders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)

    local = Session("fargate-ops", None, "json", endpoint_url="http://127.0.0.1:5050").client("stepfunctions")
    remote = Session("fargate-ops", "eu-west-1", "json", endpoint_url="https://proxy.example.com")

    assert local.meta.region_name == "us-east-1"
    assert local._request_signer._credentials.access_key == "local"
    with pytest.raises(Exception, match="Unable to locate credentials"):
        remote.client("stepfunctions").list_state_machines()


def test_a_local_endpoint_keeps_the_users_own_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAMINE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "mine")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")

    client = Session("fargate-ops", None, "json", endpoint_url="http://localhost:4566").client("dynamodb")

    assert client.meta.region_name == "eu-west-1"
    assert client._request_signer._credentials.access_key == "AKIAMINE"


def test_wait_polls_a_local_endpoint_every_second_and_aws_every_three(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)

    Session("fargate-ops", None, "json", endpoint_url="http://127.0.0.1:5050").sleep(3.0)
    Session("fargate-ops", "eu-west-1", "json").sleep(3.0)

    assert slept == [1.0, 3.0]
