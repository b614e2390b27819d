"""A validation hook that soaks green through the test listener for SOAK_SECONDS, then passes.

In AWS it would sleep (or poll) for real, within its function's timeout; in the local runtime the
application's clock waits on the virtual clock, so a 14-minute soak costs nothing.
"""

import os
import time

try:
    from fargate_ops import clock  # the local runtime (its Lambda host runs hooks in-process)

    _sleep = clock.sleep
except ImportError:  # in AWS
    _sleep = time.sleep


def handler(event, context):
    seconds = float(os.environ.get("SOAK_SECONDS", "0"))
    _sleep(seconds)
    return {"checked": event["deploy_id"], "soaked_seconds": seconds}
