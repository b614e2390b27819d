"""The watch side of the reactions: what happens to a service outside (and beside) a deploy.

Every event is recorded in its service's timeline (``timeline``); crash loops, ECS warnings,
circuit-breaker rollbacks and Spot waves are told to people once (``alerting``: record, decide with the
pure rules of ``domain/crash_loop.py`` and ``domain/alerts.py``, commit, then notify). ``task_stopped``
handles task events, ``service_events`` service actions and deployment state changes.
"""
