"""The web processes' HTTP handler: Django's ASGI handler, with the middleware and the view run
in the request's thread as one synchronous chain, entered once.

Django's own handler loads the middleware for async. Ours is synchronous (Django's, ours, axes,
htmx, simple-history) but for ServeStatic's, so each request went back and forth between the
event loop and its thread around every change of kind: the blocks of synchronous middleware,
the view middleware, the view itself. On the round page that was about 3 ms of 60 (uvicorn, one
client; benchmarks/round_benchmark.py). Here the chain runs as under WSGI, in the request's
thread (thread-sensitive, where Django runs synchronous views under ASGI); ServeStatic's
middleware, which is asynchronous only, is adapted within it as Django adapts it under WSGI.

A streamed response (a download: documents.files) is sent as it is read. Django's handler
reads a synchronous body whole into memory before sending any of it; here each part is read in
the request's thread and sent before the next is read."""

from collections.abc import AsyncIterator, Iterator

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler


class OneThreadHandler(ASGIHandler):
    def __init__(self):
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)
        # What ASGIHandler.get_response_async awaits: the whole synchronous chain, in one step.
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)

    async def send_response(self, response, send):
        if response.streaming and not response.is_async:
            response.streaming_content = _read_in_thread(iter(response.streaming_content))
        await super().send_response(response, send)


async def _read_in_thread(parts: Iterator[bytes]) -> AsyncIterator[bytes]:
    """The parts of a synchronous body, each read in the request's thread when it is wanted."""
    read = sync_to_async(next, thread_sensitive=True)
    while (part := await read(parts, None)) is not None:
        yield part


def http_application() -> ASGIHandler:
    """As django.core.asgi.get_asgi_application, with OneThreadHandler."""
    django.setup(set_prefix=False)
    return OneThreadHandler()
