from django.contrib.auth.models import AnonymousUser
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_variables
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from api.errors import InvalidApiKey
from apikeys.services import api_key_authenticate


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Bearer slk_…``. ``request.auth`` is the ApiKey, with its workspace
    (from this process's copy when warm: no query; see ``apikeys.services``).

    A missing or non-Bearer header leaves the request unauthenticated (401
    ``authentication_required``); a Bearer key that is unknown or revoked is 401
    ``invalid_api_key``, with the same message for both; so is one past its expiry.
    """

    keyword = b"bearer"

    @method_decorator(sensitive_variables("parts", "raw_key"))
    def authenticate(self, request, *, fresh: bool = False):
        """The key from this process's copy, unconfirmed (``api.ratelimit.consume`` confirms
        it as it counts the request); ``fresh``: read from the database."""
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise InvalidApiKey()
        try:
            raw_key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise InvalidApiKey() from None
        api_key = api_key_authenticate(raw_key, confirmed=False, fresh=fresh)
        if api_key is None:
            raise InvalidApiKey()
        # The key, not a person, acts: no user's other workspaces are reachable through it.
        return AnonymousUser(), api_key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
