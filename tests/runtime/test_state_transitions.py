"""State transitions as Step Functions bills them: one per state entered, one more per retry of a task."""

from fargate_ops_cli.local.runtime import state_transitions


def test_each_retry_of_a_task_is_a_state_transition() -> None:
    events = [
        {"type": "ExecutionStarted"},
        {"type": "TaskStateEntered"},
        {"type": "TaskScheduled"},
        {"type": "TaskFailed"},
        {"type": "TaskScheduled"},  # the Retry
        {"type": "TaskFailed"},
        {"type": "TaskScheduled"},  # and again
        {"type": "TaskSucceeded"},
        {"type": "TaskStateExited"},
        {"type": "ChoiceStateEntered"},
        {"type": "ChoiceStateExited"},
        {"type": "TaskStateEntered"},
        {"type": "TaskScheduled"},
        {"type": "TaskSucceeded"},
    ]

    assert state_transitions(events) == 3 + 2
