"""The deploy side of the reactions: events that resume or fail a running deploy's wait.

A deploy that waits (green ready, an approval, a bake) keeps its task token in the green service's
WAIT item and, for alarms, in each watched alarm's watch item. Here: green's steady state ends a
readiness wait (``service_action``), green's abnormal stops fail any wait at the crash-loop threshold
(``task_stopped``), ECS giving up on green's deployment fails it (``deployment_state``), and a watched
alarm going to ALARM fails it (``alarm``). Most events concern no waiting deploy and cost at most the
one read of the WAIT item.
"""
