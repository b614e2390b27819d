"""Which listener or rule a deploy of an application is given: the one that forwards to its slots."""

from __future__ import annotations

from fargate_ops_cli.local.world.provision import ProvisionedWorld
from fargate_ops_cli.local.world.routes import ProvisionedRoute


class RouteResolutionError(ValueError):
    """A deploy whose application's listener or rule the world cannot name unambiguously."""


def application_routes(
    world: ProvisionedWorld, slots: list[str]
) -> tuple[ProvisionedRoute, ProvisionedRoute | None]:
    """The production route that forwards to the slots' target groups, and the test route that does
    (if the world declares one). With no production match, a world's only production route is still
    passed: the deploy's pre-flight then says what is wrong with it, as it would in AWS."""
    groups = [
        world.target_group_name(world.services[s].target_group_arn) for s in slots if s in world.services
    ]
    production = world.routes_for(groups)
    if not production:
        production = [r for r in world.routes.values() if not r.test and r.forwards][:2]
        if len(production) != 1:
            raise RouteResolutionError(f"no production listener or rule forwards to {', '.join(groups)}")
    tests = world.routes_for(groups, test=True)
    for found, kind in ((production, "production"), (tests, "test")):
        if len(found) > 1:
            raise RouteResolutionError(
                f"{len(found)} {kind} routes forward to {', '.join(groups)}: "
                f"{', '.join(r.label for r in found)}; give the deploy listener_arn in options"
            )
    return production[0], tests[0] if tests else None
