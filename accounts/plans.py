"""Plans and entitlements: the one place that answers "what may this workspace do, and at what
limits". Everything else (API authentication, rate limiting, webhooks, pages) asks here."""

from dataclasses import dataclass

from django.db import models


class Plan(models.TextChoices):
    FREE = "free", "Free"
    GROWTH = "growth", "Growth"
    PRO = "pro", "Pro"


@dataclass(frozen=True)
class PlanFeatures:
    api: bool
    webhooks: bool
    daily_limit: int
    burst_limit: int


PLAN_FEATURES: dict[str, PlanFeatures] = {
    Plan.FREE: PlanFeatures(api=False, webhooks=False, daily_limit=0, burst_limit=0),
    Plan.GROWTH: PlanFeatures(api=True, webhooks=False, daily_limit=500, burst_limit=20),
    Plan.PRO: PlanFeatures(api=True, webhooks=True, daily_limit=10_000, burst_limit=200),
}


@dataclass(frozen=True)
class Entitlements:
    """What a workspace may do right now: its plan's features with staff overrides applied."""

    plan: Plan
    api: bool
    webhooks: bool
    daily_limit: int
    burst_limit: int
    custom_limits: bool

    @property
    def plan_label(self) -> str:
        return f"{self.plan.label} (custom limits)" if self.custom_limits else self.plan.label


def plans_with(feature: str) -> list[Plan]:
    """The plans that include a feature ("api" or "webhooks"), cheapest first."""
    return [Plan(plan) for plan, features in PLAN_FEATURES.items() if getattr(features, feature)]


def entitlements_for(workspace) -> Entitlements:
    """Resolve a workspace's plan and per-workspace limit overrides."""
    plan = Plan(workspace.plan)
    features = PLAN_FEATURES[plan]
    daily = workspace.daily_limit_override
    burst = workspace.burst_limit_override
    return Entitlements(
        plan=plan,
        api=features.api,
        webhooks=features.webhooks,
        daily_limit=features.daily_limit if daily is None else daily,
        burst_limit=features.burst_limit if burst is None else burst,
        custom_limits=daily is not None or burst is not None,
    )
