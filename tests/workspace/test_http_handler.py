"""The web processes' HTTP handler (workspace/http.py): pages, refusals and errors come through it
as through Django's own, and a request goes to its thread once, not at every change between
synchronous and asynchronous middleware."""

from unittest import mock

import pytest
from asgiref.sync import SyncToAsync
from channels.testing import HttpCommunicator
from django.core.handlers.asgi import ASGIHandler

from workspace.http import OneThreadHandler, http_application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def fetch(app, method: str, path: str, body: bytes = b"") -> dict:
    headers = [(b"host", b"testserver"), (b"accept-language", b"sv")]
    if body:
        headers.append((b"content-type", b"application/x-www-form-urlencoded"))
    communicator = HttpCommunicator(app, method, path, body=body, headers=headers)
    response = await communicator.get_response(timeout=30)
    response["headers"] = {k.decode().lower(): v.decode() for k, v in response["headers"]}
    return response


async def test_the_web_process_serves_a_page_with_its_headers():
    from workspace.asgi import application

    response = await fetch(application, "GET", "/login/")
    assert response["status"] == 200
    assert "default-src 'self'" in response["headers"]["content-security-policy"]
    assert response["headers"]["x-frame-options"] == "DENY"
    assert b'name="csrfmiddlewaretoken"' in response["body"]
    assert b"Logga in" in response["body"]


async def test_a_missing_page_and_a_refused_form_get_their_pages():
    app = http_application()
    missing = await fetch(app, "GET", "/finns-inte/")
    assert missing["status"] == 404
    assert b"Sidan hittades inte" in missing["body"]
    assert "content-security-policy" in missing["headers"]

    # A login form posted without its CSRF cookie: the refusal page, nothing logged in.
    refused = await fetch(app, "POST", "/login/", body=b"username=a%40b.se&password=x")
    assert refused["status"] == 403
    assert (
        "set-cookie" not in refused["headers"]
        or "sessionid" not in (refused["headers"]["set-cookie"])
    )


async def hand_overs(app, path: str) -> int:
    """How many times a GET of `path` hands work from the event loop to a thread."""
    calls = 0
    original = SyncToAsync.__call__

    async def counted(self, *args, **kwargs):
        nonlocal calls
        calls += 1
        return await original(self, *args, **kwargs)

    with mock.patch.object(SyncToAsync, "__call__", counted):
        response = await fetch(app, "GET", path)
    assert response["status"] == 200
    return calls


async def test_a_request_goes_to_its_thread_once():
    """The request_started signal, the middleware with the view, and closing the response: three
    steps to the request's thread. Django's own handler takes more with the same middleware."""
    ours = await hand_overs(OneThreadHandler(), "/login/")
    theirs = await hand_overs(ASGIHandler(), "/login/")
    assert ours == 3
    assert theirs > ours
