"""botocore's errors about where the CLI runs, turned into one line that says what to do.

A person without an AWS configuration, or with an expired session, a wrong region or a missing
permission, should read what is wrong and how to fix it, not a traceback. Each line names the
problem, then the fix; `fargate-ops local serve` is offered to whoever has no account at hand.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    SSOError,
    TokenRetrievalError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from fargate_ops_cli.operations.errors import AwsEnvironmentError

OFFLINE_HINT = "to try fargate-ops without an AWS account, run `fargate-ops local serve`"

# Error codes AWS answers with, per problem (query and JSON protocols spell some differently).
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired", "RequestExpired"}
_REJECTED = {
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "AuthFailure",
    "IncompleteSignature",
}
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}
# "User: arn:aws:iam::1:user/ci is not authorized to perform: states:StartExecution on resource: arn:..."
_ACTION = re.compile(r"perform: ([\w-]+:[\w*]+)")


def translate(
    error: Exception,
    *,
    endpoint: str | None,
    action_of: Callable[[str], str] = lambda operation: operation,
) -> AwsEnvironmentError | None:
    """The error to show for `error`, or None when it is not botocore's (a bug: let it surface).

    `endpoint` is the URL the CLI was pointed at (None: AWS's own); `action_of` names the IAM action
    of an operation (``StartExecution`` -> ``states:StartExecution``)."""
    if isinstance(error, RuntimeError) and "refreshed credentials are still expired" in str(error):
        # botocore raises a bare RuntimeError when a credential_process or SSO cache hands back
        # credentials that have already expired.
        return AwsEnvironmentError(
            "expired-credentials",
            "your AWS credentials have expired (their source gave back expired ones): refresh them"
            " (aws sso login, or your credential_process) and retry",
        )
    if not isinstance(error, BotoCoreError | ClientError):
        return None
    if isinstance(error, ClientError):
        return _client_error(error, endpoint, action_of)
    if isinstance(error, NoRegionError):
        return AwsEnvironmentError(
            "no-region",
            "no AWS region: pass --region REGION, or set AWS_DEFAULT_REGION or a region in your AWS"
            f" config (aws configure); {OFFLINE_HINT}",
        )
    if isinstance(error, NoCredentialsError):
        return AwsEnvironmentError(
            "no-credentials",
            "no AWS credentials found: configure them (aws configure, aws sso login, AWS_PROFILE, or"
            f" AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY); {OFFLINE_HINT}",
        )
    if isinstance(error, PartialCredentialsError | ProfileNotFound):
        return AwsEnvironmentError("no-credentials", f"{error}: fix your AWS configuration (aws configure)")
    if isinstance(error, SSOError | TokenRetrievalError | CredentialRetrievalError):
        return AwsEnvironmentError(
            "expired-credentials", f"{error} (refresh your session: aws sso login, or new credentials)"
        )
    if isinstance(error, BotoConnectionError | HTTPClientError):
        return _unreachable(error, endpoint)
    return AwsEnvironmentError("aws-error", f"{error} (rerun with --debug for details)")


def _unreachable(error: BotoCoreError, endpoint: str | None) -> AwsEnvironmentError:
    url = getattr(error, "kwargs", {}).get("endpoint_url") or endpoint or "AWS"
    what = "timed out connecting to" if isinstance(error, ConnectTimeoutError) else "cannot reach"
    if endpoint:
        fix = "check --endpoint-url or AWS_ENDPOINT_URL (is `fargate-ops local serve` running there?)"
    else:
        fix = "check your network, proxy (HTTPS_PROXY) and region"
    if isinstance(error, EndpointConnectionError | ConnectTimeoutError):
        return AwsEnvironmentError("unreachable", f"{what} {url}: {fix}")
    return AwsEnvironmentError("unreachable", f"{what} {url} ({error}): {fix}")


def _client_error(
    error: ClientError, endpoint: str | None, action_of: Callable[[str], str]
) -> AwsEnvironmentError:
    details = error.response.get("Error", {})
    code = str(details.get("Code", ""))
    message = str(details.get("Message", "")).strip()
    operation = error.operation_name
    if code in _EXPIRED:
        return AwsEnvironmentError(
            "expired-credentials",
            f"your AWS credentials have expired ({code}: {message}): refresh them (aws sso login, or"
            " new keys) and retry",
        )
    if code in _REJECTED:
        return AwsEnvironmentError(
            "rejected-credentials",
            f"AWS did not accept your credentials ({code}: {message}): check AWS_PROFILE and your keys",
        )
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    # moto's server (and some proxies) answer a JSON-protocol service's denial in XML: botocore
    # then reads the code as "403" and the whole body as the message.
    if code in _DENIED or (status == 403 and "not authorized to perform" in message):
        found = _ACTION.search(message)
        action = found.group(1) if found else action_of(operation)
        return AwsEnvironmentError(
            "access-denied",
            f"access denied to {action}: grant it to your IAM identity (docs/cli.md lists what the CLI"
            f" needs); AWS said: {_said(message) or code}",
        )
    where = f" at {endpoint}" if endpoint else ""
    return AwsEnvironmentError(
        "aws-error", f"AWS refused {action_of(operation)}{where}: {code}: {message} (rerun with --debug)"
    )


def _said(message: str) -> str:
    """AWS's own sentence, out of an XML error body when that is what came back."""
    found = re.search(r"<Message>(.*?)</Message>", message, re.DOTALL)
    return found.group(1).strip() if found else message
