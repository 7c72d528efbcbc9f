from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.urls import reverse

from accounts.decorators import workspace_required
from accounts.plans import PLAN_FEATURES, Plan


@workspace_required
def home(request):
    """The signed-in landing page; ``LoginRequiredMiddleware`` sends visitors to log in."""
    return render(request, "core/home.html", {"entitlements": request.workspace.entitlements})


@login_not_required
def permission_denied(request, exception=None):
    return render(request, "403.html", {"reason": str(exception) if exception else ""}, status=403)


@login_not_required
def rate_limited(request, exception=None):
    return render(request, "429.html", status=429)


def api_base_url(request) -> str:
    """The API's public base URL for this install: always https (SPEC §5)."""
    return f"https://{request.get_host()}{reverse('api:index')}"


@login_not_required
def developers(request):
    """The seed's API reference, made true for this install: real URL, limits and examples."""
    plans = [
        {"plan": Plan(plan), "features": features}
        for plan, features in PLAN_FEATURES.items()
        if features.api
    ]
    workspace = getattr(request, "workspace", None)
    return render(
        request,
        "core/developers.html",
        {
            "base_url": api_base_url(request),
            "api_plans": plans,
            "entitlements": workspace.entitlements if workspace else None,
        },
    )
