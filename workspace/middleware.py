"""Refusals from the core become a readable page, never a 500."""

from django.shortcuts import render

from networks.errors import DomainError, NotAllowed, NotFound


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
