"""Opening a websocket to the whole ASGI application, as a browser would: with a session
cookie and an Origin header."""

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator


def session_cookie(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def connect(path: str, *, user=None, origin: str | None = "http://testserver"):
    """(communicator, connected, close code) for the websocket at `path`."""
    from workspace.asgi import application

    headers = [(b"host", b"testserver")]
    if origin:
        headers.append((b"origin", origin.encode()))
    if user is not None:
        cookie = await sync_to_async(session_cookie)(user)
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code
