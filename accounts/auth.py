from accounts.models import normalize_email


def axes_username(request, credentials) -> str:
    """The key django-axes counts failed logins under: the normalised email."""
    return normalize_email((credentials or {}).get("username") or "")
