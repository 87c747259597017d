"""Keeps ``User.last_active_at`` current without a write on every request."""

from engagement.services import last_active_update


class LastActiveMiddleware:
    """On a signed-in page (not one marked ``login_not_required``, which need not
    load the user at all), note the user as active: no query within
    ``LAST_ACTIVE_UPDATE_MINUTES`` of the last note, one UPDATE after it
    (``engagement.services.last_active_update``). Runs after
    LoginRequiredMiddleware, which has loaded the user for such pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        user = request.user
        if user.is_authenticated:
            last_active_update(user=user)
        return None
