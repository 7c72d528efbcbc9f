from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render


@login_not_required
def permission_denied(request, exception=None):
    return render(request, "403.html", {"reason": str(exception) if exception else ""}, status=403)


@login_not_required
def rate_limited(request, exception=None):
    return render(request, "429.html", status=429)
