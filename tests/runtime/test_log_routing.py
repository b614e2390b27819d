"""The functions' logs reach the run's log whatever stdout was when Powertools' Logger was created.

Powertools' Logger keeps the stream it sees at creation, once per process. Created during an earlier
test (a CLI test's captured stdout, say), its lines went to that dead stream and a run's log held
only the EMF metrics, which print to stdout afresh: tests/local/test_no_secret_in_any_output.py then
failed or passed by the order the suite ran in.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

from aws_lambda_powertools import Logger

from fargate_ops_cli.local.clock import VirtualClock
from fargate_ops_cli.local.lambdas import LambdaHost

ROOT = Path(__file__).resolve().parents[2]


def test_a_powertools_handler_made_under_another_stdout_is_routed_to_the_run() -> None:
    elsewhere = io.StringIO()  # the stdout of whatever ran when the Logger was made
    logger = Logger(service="fargate-ops-routing-probe", stream=elsewhere)
    host = LambdaHost(ROOT, VirtualClock(0))

    try:
        with host.routing_stdout():
            host._reroute_logging()
            with host._captured() as captured:
                logger.info("routed")
    finally:
        logging.getLogger("fargate-ops-routing-probe").handlers.clear()

    assert elsewhere.getvalue() == ""
    assert any('"message":"routed"' in line for line in captured)
