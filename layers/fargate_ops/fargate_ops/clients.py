"""One cached boto3 client factory with one botocore configuration.

Clients are created on first use (never at import time: cold start, and the local runtime has to be
able to put its mocks in place first) and cached per service. ``clear_cache()`` drops them, for tests
and for the local runtime when it switches worlds.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from fargate_ops import __version__

if TYPE_CHECKING:
    from botocore.config import Config
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_stepfunctions import SFNClient

USER_AGENT_EXTRA = f"fargate-ops/{__version__}"

# boto3's default session is not thread-safe to create clients from; the local runtime invokes
# handlers on several threads, so creation is serialised (use of a created client is thread-safe).
_lock = threading.Lock()


def botocore_config() -> Config:
    from botocore.config import Config

    return Config(
        retries={"mode": "standard", "max_attempts": 5},
        user_agent_extra=USER_AGENT_EXTRA,
    )


# The layer's trimmed service models (scripts/botocore_models.py writes them from the template's
# function policies): only the operations the roles grant, without documentation. Parsing EC2's whole
# model made its client cost ~190 ms CPU in the Lambda layout (median; ~56 ms trimmed).
MODELS_DIR = Path(__file__).with_name("botocore_models")


@functools.cache
def model_versions() -> dict[str, str]:
    """botocore service -> the API version of its trimmed model in MODELS_DIR."""
    return {
        service.name: version.name
        for service in MODELS_DIR.iterdir()
        if service.is_dir()
        for version in service.iterdir()
    }


@functools.cache
def _session() -> Any:
    """The one boto3 session every client comes from, with the layer's models searched first.

    A session owns botocore's loader cache: a new session per client parsed the endpoint rules and
    listed botocore's data folders again for each service, about a third of a deploy step's cold start.
    """
    import boto3
    import botocore.session

    core = botocore.session.Session()
    # Registered before boto3 reads it: boto3's session appends its own data folder to this loader.
    core.register_component("data_loader", _trimmed_models_loader())
    return boto3.session.Session(botocore_session=core)


def _trimmed_models_loader() -> Any:
    """botocore's loader, searching MODELS_DIR before botocore's own data, that loads a trimmed model
    without first listing every service botocore knows.

    botocore's ``load_service_model`` checks the name against ``list_available_services(type)``, a
    walk over all ~400 folders of its data (a listdir and a stat per folder and version), once per
    model type: service-2, endpoint-rule-set-1, paginators-1. The cleanup function's first event paid
    three walks, ~1,300 listdirs and ~2,200 stats. A service with a trimmed model is known by
    construction, so its files are loaded directly, extras included, as botocore would load them.
    Other services (sts, for one) go through botocore's own path.
    """
    from botocore.loaders import Loader, instance_cache

    versions = model_versions()

    class TrimmedModelsLoader(Loader):
        @instance_cache
        def load_service_model(
            self, service_name: str, type_name: str, api_version: str | None = None
        ) -> Any:
            if api_version is None or versions.get(service_name) != api_version:
                return super().load_service_model(service_name, type_name, api_version)
            model = self.load_data(f"{service_name}/{api_version}/{type_name}")
            # As botocore's own method goes on (EC2's paginators have sdk extras in botocore's data).
            # Private names: tests/packaging/test_botocore_models.py compares every trimmed model
            # loaded here with botocore's own loader's, so a botocore that renames them fails there.
            extras = self._find_extras(service_name, type_name, api_version)  # type: ignore[attr-defined]
            self._extras_processor.process(model, extras)  # type: ignore[attr-defined]
            return model

    return TrimmedModelsLoader(extra_search_paths=[str(MODELS_DIR)])


@functools.cache
def _cached_client(service_name: str) -> Any:
    # The API version by name: left to pick the latest, the loader would take a newer version from
    # botocore's own data over the trimmed model.
    return _session().client(
        service_name, api_version=model_versions().get(service_name), config=botocore_config()
    )


@overload
def client(service_name: Literal["ecs"]) -> ECSClient: ...
@overload
def client(service_name: Literal["elbv2"]) -> ElasticLoadBalancingv2Client: ...
@overload
def client(service_name: Literal["dynamodb"]) -> DynamoDBClient: ...
@overload
def client(service_name: Literal["stepfunctions"]) -> SFNClient: ...
@overload
def client(service_name: Literal["sns"]) -> SNSClient: ...
@overload
def client(service_name: Literal["cloudwatch"]) -> CloudWatchClient: ...
@overload
def client(service_name: str) -> Any: ...


def client(service_name: str) -> Any:
    """The process-wide client for ``service_name`` (created on first use)."""
    with _lock:
        return _cached_client(service_name)


def clear_cache() -> None:
    """Forget every cached client."""
    with _lock:
        _cached_client.cache_clear()
        _session.cache_clear()  # a session made before moto's mock started would bypass it
