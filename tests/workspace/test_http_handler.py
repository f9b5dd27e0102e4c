"""The web processes' HTTP handler (workspace/http.py): pages, refusals and errors come through it
as through Django's own, and a request goes to its thread once, not at every change between
synchronous and asynchronous middleware."""

import io
import warnings
from unittest import mock

import pytest
from asgiref.sync import SyncToAsync
from channels.testing import HttpCommunicator
from django.core.handlers.asgi import ASGIHandler
from django.http import FileResponse

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


async def test_a_download_is_sent_as_it_is_read():
    """Each part of a file leaves before the next is read, so a large download never sits whole
    in the process's memory (Django's own handler reads a synchronous body to its end first)."""
    data = bytes(range(256)) * 1024  # 256 KiB
    handle = io.BytesIO(data)
    response = FileResponse(handle, as_attachment=True, filename="svar.pdf")
    response.block_size = 64 * 1024
    parts, read_when_sent = [], []

    async def send(message):
        if message["type"] == "http.response.body" and message.get("body"):
            read_when_sent.append(handle.tell())
            parts.append(message["body"])

    with warnings.catch_warnings():
        # Django warns when it reads a body whole before sending it.
        warnings.filterwarnings("error", message="StreamingHttpResponse must consume")
        await OneThreadHandler().send_response(response, send)
    assert b"".join(parts) == data
    assert read_when_sent == [64 * 1024, 128 * 1024, 192 * 1024, 256 * 1024]
