"""Refusals from the core become a readable page, never a 500."""

from django.shortcuts import render

from networks.errors import DomainError, NotAllowed, NotFound
from networks.permissions import remember_for_this_request


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound) or not isinstance(exception, DomainError):
            return None  # NotFound is an Http404: Django renders 404.html
        status = 403 if isinstance(exception, NotAllowed) else 409
        return render(request, "refused.html", {"message": exception.message}, status=status)


class PermissionCacheMiddleware:
    """Reading pages (GET, HEAD) remember permission answers for the request; see
    networks.permissions.remember_for_this_request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.user.is_authenticated:
            remember_for_this_request(request.user)
        return self.get_response(request)
