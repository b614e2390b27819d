"""fargate-ops: day-2 operations for ECS/Fargate services (the Lambda layer library)."""

__version__ = "0.1.0"
