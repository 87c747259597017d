from audit.context import request_context


class RequestContextMiddleware:
    """Makes each request the current one (``audit.context.current_request``) while
    it is served, so security events recorded from signals without a request still
    get its IP address and browser. Placed after AuthenticationMiddleware, so the
    request's user is known to whoever reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_context(request):
            return self.get_response(request)
