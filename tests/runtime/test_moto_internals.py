"""Fails loudly when a moto upgrade moves an internal the local runtime hooks into."""

import inspect
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from fargate_ops_cli.local import moto_hooks, strict_elb, strict_sfn
from fargate_ops_cli.local.runtime import LocalRuntime


def test_every_hooked_moto_internal_is_still_where_the_runtime_expects_it() -> None:
    problems = moto_hooks.check_internals()
    assert not problems, (
        "moto moved internals the local runtime hooks into (moto is pinned in pyproject.toml; "
        "fix src/fargate_ops_cli/local/moto_hooks.py before upgrading):\n" + "\n".join(problems)
    )


def test_moto_is_the_pinned_version() -> None:
    from importlib.metadata import version

    assert version("moto") == "5.2.5", "the runtime's hooks were written against moto 5.2.5"


# -- what the hooks do, on a real execution: a renamed internal is not the only way moto can move ----------

TOY = Path(__file__).parent / "fixtures" / "toy"


def test_the_hooks_reach_a_real_execution_and_are_undone_after_the_run() -> None:
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend, stepfunctions_parser_backends

    moto_send = StepFunctionsParserBackend.send_task_success
    with LocalRuntime(TOY) as runtime:
        runtime.deploy_stack()
        arn = runtime.start_execution("ToyStateMachine", {"name": "guard"})
        runtime.clock.run_until(runtime.clock.now() + 700)  # past the Wait and the Echo, into AwaitToken
        token = runtime.lambdas.invocations[-1].event["token"]
        backend = stepfunctions_parser_backends[runtime.clients.account_id][runtime.clients.region]
        execution = backend.describe_execution(arn)

        # the history limit counts in the interpreter's own event list (the worker hook reached it)
        assert type(execution.exec_worker.env.event_manager).__name__ == "HistoryLimitedEventManager"
        # a waiting task's token is found in its execution's callback pool, and answers once
        assert strict_sfn._find_endpoint(backend, token) is not None
        sfn = runtime.clients.client("stepfunctions")
        sfn.send_task_success(taskToken=token, output="{}")
        with pytest.raises(ClientError, match="TaskTimedOut"):
            sfn.send_task_success(taskToken=token, output="{}")
        runtime.clock.run_until_idle(runtime.clock.now() + 60)

        # the history reader sees every event of the execution, as GetExecutionHistory does
        seen = [
            e["type"]
            for e in moto_hooks.history_since(runtime.clients.account_id, runtime.clients.region, arn, 0)
        ]
        api = [e["type"] for e in sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]]
        assert seen == api and seen[0] == "ExecutionStarted" and seen[-1] == "ExecutionSucceeded"
        assert runtime.execution(arn).largest_payload_bytes > 0
    assert StepFunctionsParserBackend.send_task_success is moto_send


def test_the_guarded_elbv2_methods_still_take_their_actions_by_that_name() -> None:
    from moto.elbv2.models import ELBv2Backend

    for method, parameter in strict_elb.GUARDED.items():
        assert parameter in inspect.signature(getattr(ELBv2Backend, method)).parameters, method


def test_the_dynamodb_hooks_serve_a_run_and_are_undone_after_it() -> None:
    from moto.dynamodb.responses import DynamoHandler

    from fargate_ops_cli.local import strict_dynamodb

    originals = {name: getattr(DynamoHandler, name) for _, _, name in strict_dynamodb.HOOKED}
    with LocalRuntime(TOY) as runtime:
        assert DynamoHandler.transact_write_items is not originals["transact_write_items"]
        ddb = runtime.clients.client("dynamodb")
        ddb.create_table(
            TableName="guard",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        ddb.transact_write_items(TransactItems=[{"Put": {"TableName": "guard", "Item": {"pk": {"S": "a"}}}}])
        assert ddb.get_item(TableName="guard", Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
    assert {name: getattr(DynamoHandler, name) for name in originals} == originals
