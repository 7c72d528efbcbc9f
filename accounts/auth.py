"""Login throttling on top of django-axes, and the keys that throttle password resets.

django-axes counts failures per (account, address) pair (AXES_LOCKOUT_PARAMETERS) against one
AXES_FAILURE_LIMIT. It has a single limit for every parameter group, so the second, higher
limit for an account from anywhere lives here, in the handler axes is told to use
(AXES_HANDLER), over the same AccessAttempt rows and cool-off window.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from axes.utils import reset
from django.conf import settings
from django.db.models import Sum

from accounts.models import normalize_email

LAST_ATTEMPT_WARNING = (
    "One more failed attempt will pause logging in for this account for 15 minutes."
)


def axes_username(request, credentials) -> str:
    """The key django-axes counts failed logins under: the normalised email."""
    return normalize_email((credentials or {}).get("username") or "")


def login_attempts_left(request) -> int | None:
    """Failed logins this request may still make before a lock; None if none failed."""
    return getattr(request, "salync_login_attempts_left", None)


def login_lockout_clear(*, email: str) -> int:
    """Lift every login lock on the account (all addresses); returns the rows removed."""
    return reset(username=normalize_email(email))


def password_reset_email_key(group, request) -> str:
    """django-ratelimit key: the address a reset is asked for, spelled one way.

    Counted whether or not an account has it, so a 429 says nothing about who exists.
    """
    return normalize_email(request.POST.get("email", ""))


class LoginThrottleHandler(AxesDatabaseHandler):
    """axes' database handler plus a lock on the account after many failures from anywhere."""

    def account_failures(self, request, credentials) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        recent = AccessAttempt.objects.filter(
            username=username, attempt_time__gte=get_cool_off_threshold(request)
        )
        return recent.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        limit = settings.SALYNC_LOGIN_ACCOUNT_FAILURE_LIMIT
        return self.account_failures(request, credentials) >= limit

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        # A request refused by the lock is not recorded (AXES_RESET_COOL_OFF_ON_FAILURE_
        # DURING_LOCKOUT off), so the lock ends 15 minutes after the failure that set it.
        already_locked = request is None or request.axes_locked_out
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if already_locked:
            return
        pair_left = get_failure_limit(request, credentials) - request.axes_failures_since_start
        account_left = settings.SALYNC_LOGIN_ACCOUNT_FAILURE_LIMIT - self.account_failures(
            request, credentials
        )
        request.salync_login_attempts_left = max(min(pair_left, account_left), 0)
        if account_left <= 0 and not request.axes_locked_out:
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )
