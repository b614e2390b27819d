"""Translating botocore ``ClientError`` codes into the package's errors."""

from __future__ import annotations

from collections.abc import Mapping

from botocore.exceptions import ClientError

from fargate_ops.errors import (
    AccessDeniedError,
    AwsCallError,
    FargateOpsError,
    ThrottlingError,
    TransientError,
)

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ProvisionedThroughputExceededException",
        "RequestThrottled",
        "SlowDown",
        "LimitExceededException",
    }
)
ACCESS_DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})
# A 5xx answer is the service's fault and passes; botocore has retried it already (standard mode), so
# what reaches us gets the state machine's slower back-off. Some services answer 5xx with a 400-ish
# code name, so the HTTP status decides.
FIRST_SERVER_ERROR_STATUS = 500


def error_code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", "Unknown"))


def error_message(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Message", ""))


def http_status(err: ClientError) -> int:
    return int(err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)


def translate(
    err: ClientError,
    operation: str,
    mapping: Mapping[str, type[FargateOpsError]] | None = None,
) -> FargateOpsError:
    """The package error for ``err``; ``mapping`` names service-specific codes (e.g. not found)."""
    code = error_code(err)
    message = error_message(err)
    if mapping and code in mapping:
        return mapping[code](f"{operation}: {message or code}")
    if code in THROTTLING_CODES:
        return ThrottlingError(f"{operation}: {code}: {message}")
    if code in ACCESS_DENIED_CODES:
        return AccessDeniedError(f"{operation}: {code}: {message}")
    if http_status(err) >= FIRST_SERVER_ERROR_STATUS:
        return TransientError(f"{operation}: {code}: {message}")
    return AwsCallError(operation, code, message)
