"""State machines log errors only, without execution data: states' inputs and outputs carry the deploy
document (environment values) and task tokens, which must not reach CloudWatch Logs."""

from __future__ import annotations

from typing import Any

from lint.template_checks import of_type


def test_every_state_machine_logs_errors_only_and_no_execution_data(template: dict[str, Any]) -> None:
    machines = of_type(template, "AWS::Serverless::StateMachine")
    logging = {name: resource["Properties"].get("Logging", {}) for name, resource in machines.items()}

    assert machines
    assert {name: (c.get("Level"), c.get("IncludeExecutionData")) for name, c in logging.items()} == {
        name: ("ERROR", False) for name in machines
    }
