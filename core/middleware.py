import uuid


class RequestIdMiddleware:
    """Give every request an id, answered in ``X-Request-Id`` and quoted in API errors."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = f"req_{uuid.uuid4().hex}"
        response = self.get_response(request)
        response["X-Request-Id"] = request.request_id
        return response
