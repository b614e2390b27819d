"""Where an event may come from: the stack's own region, its own account and, for the watch side only,
the accounts it is told to trust (a hub that receives ECS events forwarded from other accounts).

ECS and CloudWatch events name services, clusters and alarms by name, and another account (or region)
has the same names: its steady state would end our readiness wait, its alarm fail our bake. The rules'
patterns in template.yaml filter on ``account`` and ``region`` first; this is the same rule in the code,
for an event that reaches the function some other way (a rule added by hand, a direct invoke). Deploys
act on the stack's own account only, so their waits listen to its events only; a forwarded account's
events reach the timeline and the notifications.
"""

from __future__ import annotations

from fargate_ops.frozen import frozen


@frozen
class EventSources:
    account: str  # the stack's own
    region: str
    forwarded: frozenset[str] = frozenset()  # other accounts whose ECS events the watch side records

    @classmethod
    def parse(cls, account: str, region: str, forwarded: str = "") -> EventSources:
        """``forwarded`` as the template joins it: comma separated, empty entries ignored."""
        others = frozenset(a.strip() for a in forwarded.split(",") if a.strip())
        return cls(account.strip(), region.strip(), others - {account.strip()})

    def refusal(self, account: str | None, region: str | None) -> str:
        """Why the watch side must not act on an event from there, or "" if it may."""
        if region != self.region:
            return f"from region {region or '(none)'}, not {self.region}"
        if account != self.account and account not in self.forwarded:
            return f"from account {account or '(none)'}, not one this stack acts for"
        return ""

    def deploy_refusal(self, account: str | None, region: str | None) -> str:
        """Why no deploy's wait may act on an event from there (deploys run in this account), or ""."""
        refusal = self.refusal(account, region)
        if refusal or account == self.account:
            return refusal
        return f"from account {account}: deploys wait on this account's events only"
