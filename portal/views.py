"""Pages that span apps: the Overview, sign-up, a new workspace, Plan & usage, Developers."""

from datetime import UTC, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.decorators import ratelimit

from accounts.decorators import workspace_required
from accounts.forms import NewWorkspaceForm, SignUpForm, add_service_errors
from accounts.middleware import SESSION_KEY
from accounts.plans import PLAN_FEATURES, Plan
from api.usage import key_usage_days
from core.charts import bars
from core.net import plain_http_allowed
from portal import services
from portal.attention import attention

# The Overview's entries: label, figure of ``portal.attention.Attention``, the list it links
# to with the filter that shows exactly what was counted, and what a row of it is.
ATTENTION_ENTRIES = (
    ("Below reorder point", "below_reorder_point", "inventory:levels",
     "below_reorder_point=on", "Stock levels with less on hand than their reorder point."),
    ("Purchase orders due", "purchase_orders_due", "purchasing:orders",
     "due=on", "Ordered or partly received, expected today or earlier (UTC)."),
    ("Listings in error", "listings_in_error", "saleschannels:listings",
     "state=error", "Listings a channel refused, with its reason."),
    ("Failing webhook endpoints", "failing_endpoints", "webhooks:list",
     "failing=on", "Failing now, or stopped by Salync after failing."),
)  # fmt: skip


@workspace_required
@require_safe
def home(request):
    """The Overview: a new workspace's first steps, then what needs attention today, each with
    its count and a link to the list filtered to it (one query for all of it)."""
    entitlements = request.workspace.entitlements
    figures = attention(request.workspace, now=timezone.now())
    entries = [
        {
            "label": label,
            "count": getattr(figures, figure),
            "help": help_text,
            "url": f"{reverse(url_name)}?{query}",
        }
        for label, figure, url_name, query, help_text in ATTENTION_ENTRIES
        # Webhooks are a Pro feature: without them or any endpoint the entry is noise.
        if figure != "failing_endpoints" or entitlements.webhooks or figures.has_endpoints
    ]
    steps = [
        {
            "label": "Add a product",
            "done": figures.has_product,
            "url": reverse("inventory:product_new"),
        },
        {
            "label": "Connect a channel",
            "done": figures.has_channel,
            "url": reverse("saleschannels:list"),
        },
        {
            "label": "Generate an API key",
            "done": figures.has_api_key,
            "needs_api": True,
            "url": reverse("apikeys:list" if entitlements.api else "portal:settings_plan"),
        },
    ]
    # On Free the API step cannot be taken: it is shown and explained, but keeps nothing open.
    open_steps = [
        step
        for step in steps
        if not step["done"] and (entitlements.api or not step.get("needs_api"))
    ]
    return render(
        request,
        "portal/home.html",
        {
            "entitlements": entitlements,
            "entries": entries,
            "needs_attention": figures.needs_attention,
            "steps": steps if open_steps else [],
        },
    )


@login_not_required
@ratelimit(key="ip", rate="20/h", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def sign_up(request):
    if request.user.is_authenticated:
        return redirect("portal:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, workspace = services.account_sign_up(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                workspace_name=form.cleaned_data["workspace_name"],
            )
        except ValidationError as error:
            add_service_errors(form, error, {"__all__": "password", "name": "workspace_name"})
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[SESSION_KEY] = workspace.pk
            messages.success(request, f"Welcome to Salync. {workspace.name} is ready.")
            return redirect("portal:home")
    return render(request, "portal/sign_up.html", {"form": form})


@require_http_methods(["GET", "POST"])
def workspace_create(request):
    form = NewWorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = services.workspace_setup(name=form.cleaned_data["name"], owner=request.user)
        except ValidationError as error:
            add_service_errors(form, error, {})
        else:
            request.session[SESSION_KEY] = workspace.pk
            messages.success(request, f"{workspace.name} is ready.")
            return redirect("portal:home")
    return render(request, "portal/workspace_create.html", {"form": form})


USAGE_DAYS = 7


@workspace_required
@require_safe
def settings_plan(request):
    """Plan & usage: the plan and its limits, today's requests per key, and the last seven UTC
    days per key as a stacked bar chart with its table."""
    plans = [{"plan": Plan(plan), "features": features} for plan, features in PLAN_FEATURES.items()]
    entitlements = request.workspace.entitlements
    context = {"entitlements": entitlements, "plans": plans, "settings_section": "plan"}
    if entitlements.api:
        today = timezone.now().astimezone(UTC).date()
        days = [today - timedelta(days=back) for back in range(USAGE_DAYS - 1, -1, -1)]
        history = key_usage_days(request.workspace, days)
        labels = [f"{day.day} {day:%b}" for day in days]
        totals = [sum(counts[i] for _, counts in history) for i in range(USAGE_DAYS)]
        context |= {
            "key_usage": [
                {
                    "key": key,
                    "used": counts[-1],
                    "left": max(0, entitlements.daily_limit - counts[-1]),
                }
                for key, counts in history
                if key.is_active
            ],
            "week_days": labels,
            "week_rows": [
                {"key": key, "counts": counts, "total": sum(counts)} for key, counts in history
            ],
            "week_totals": totals,
            "week_total": sum(totals),
            "week_chart_title": (
                f"API requests per day over the last {USAGE_DAYS} days (UTC), stacked by key: "
                f"{sum(totals):,} in all, {totals[-1]:,} today."
            ),
            "week_chart": bars(labels, [(str(key), counts) for key, counts in history]),
        }
    return render(request, "portal/plan.html", context)


def api_base_url(request) -> str:
    """The API's base URL as this request can use it: https, or http where the API takes plain
    HTTP (a development install, from this machine)."""
    scheme = "http" if not request.is_secure() and plain_http_allowed(request) else "https"
    return f"{scheme}://{request.get_host()}{reverse('api:index')}"


@login_not_required
@require_safe
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
        "portal/developers.html",
        {
            "base_url": api_base_url(request),
            "api_plans": plans,
            "entitlements": workspace.entitlements if workspace else None,
            "loopback_http": settings.SALYNC_ALLOW_LOOPBACK_HTTP,
        },
    )


@login_not_required
@require_safe
@cache_control(max_age=60 * 60 * 24, public=True)
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the SVG icon."""
    return redirect(static("favicon.svg"))
