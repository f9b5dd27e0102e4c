"""The address of the person at the other end, also behind load balancers (PROXY_COUNT).

Each proxy appends the address it received the request from to X-Forwarded-For, so behind N
proxies the client is the N-th entry from the right; anything further left was sent by the client
itself and is not trusted. Without proxies (PROXY_COUNT=0) the header is ignored.
"""

from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    direct = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "PROXY_COUNT", 0)
    if proxies <= 0:
        return direct
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    if len(hops) < proxies:
        return direct  # did not come through all the proxies: only the direct peer is known
    candidate = hops[-proxies]
    try:
        return str(ip_address(candidate))
    except ValueError:
        return direct
