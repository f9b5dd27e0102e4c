"""Refusals from the core become a readable page, never a 500; security headers; private pages
are not stored."""

import gzip
import secrets

from django.conf import settings
from django.http import Http404
from django.middleware import gzip as django_gzip
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _

from networks.errors import DomainError, NotAllowed, NotFound
from networks.registry import remember_for_this_request


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
    networks.registry.remember_for_this_request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.user.is_authenticated:
            remember_for_this_request(request.user)
        return self.get_response(request)


# Every script and style comes from our own files (static/js, static/css): no inline code, no
# eval (htmx's allowEval is off in base.html), nothing from other sites. data: images are the
# CSS's small inline SVGs; 'self' in connect-src covers the same-origin websockets.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Sends the policy with every response, static files included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class PrivatePagesMiddleware:
    """Pages and downloads for someone with a session (logged in) are never stored by browsers or
    proxies: a shared computer's back button or a proxy cache would show them to the next person.
    Decided from the session cookie, so that no request loads its session only for this."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            patch_cache_control(response, private=True, no_store=True)
        return response


def _has_nul(*texts) -> bool:
    return any("\x00" in text for text in texts if text)


class NulCharacterMiddleware:
    """A NUL character cannot be stored (PostgreSQL refuses it) and is never meant: in the address
    it is a page that does not exist (404); in a form or a query it gets a clear message (400)
    instead of reaching the database. For htmx requests the message is shown above the form, so
    that what was typed stays where it is."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.path_info):
            raise Http404
        if self._in_data(request):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _in_data(request) -> bool:
        for data in (request.GET, request.POST if request.method == "POST" else None):
            if data is None:
                continue
            for key, values in data.lists():
                if _has_nul(key, *values):
                    return True
        if request.method == "POST":
            for upload in request.FILES.values():
                # (Django already drops NUL from file names.)
                if _has_nul(upload.name, upload.content_type):
                    return True
        return False

    @staticmethod
    def _refuse(request):
        message = _(
            "What you sent contains a character that cannot be saved (a null character, which "
            "can come along when text is copied from another program). Remove it and try again."
        )
        if request.headers.get("HX-Request") == "true":
            response = render(request, "_bad_input_message.html", {"message": message}, status=400)
            response["HX-Retarget"] = "#main > [role=status]"
            response["HX-Reswap"] = "innerHTML"
            return response
        return render(request, "400.html", {"message": message}, status=400)


class GZipMiddleware(django_gzip.GZipMiddleware):
    """Django's GZipMiddleware (each response padded with up to `max_random_bytes` random
    bytes in the gzip header, so that its length reveals nothing: BREACH), compressing a whole
    page at level 4 rather than 6: the round page's 470 KB of HTML in about 4 ms instead of 8,
    for about 5 % more bytes sent (91 KB instead of 87). Streamed responses as Django does."""

    level = 4

    def process_response(self, request, response):
        if (
            response.streaming
            or len(response.content) < 200
            or response.has_header("Content-Encoding")
            or not django_gzip.re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        ):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Encoding",))
        compressed = gzip.compress(response.content, compresslevel=self.level, mtime=0)
        header = bytearray(compressed[:10])
        header[3] = gzip.FNAME  # a file name of random length: the padding
        padding = b"a" * secrets.randbelow(self.max_random_bytes) + b"\x00"
        content = bytes(header) + padding + compressed[10:]
        if len(content) >= len(response.content):
            return response
        response.content = content
        response.headers["Content-Length"] = str(len(content))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response
