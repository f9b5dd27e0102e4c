"""Pages go gzip-compressed to browsers that accept it, padded with a random number of bytes so
that a page's length reveals nothing of what it holds (BREACH)."""

import gzip

from django.http import HttpResponse
from django.test import RequestFactory

from workspace.middleware import GZipMiddleware

PAGE = "<p>Samverkan kring föräldraskapsstöd i länet</p>".encode() * 500


def _served(accept: str = "gzip, deflate, br", page: bytes = PAGE) -> HttpResponse:
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING=accept)
    return GZipMiddleware(lambda _request: HttpResponse(page))(request)


def test_a_page_goes_compressed_and_arrives_as_it_was():
    response = _served()
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert int(response["Content-Length"]) == len(response.content) < len(PAGE) / 10
    assert gzip.decompress(response.content) == PAGE


def test_the_same_page_twice_is_two_lengths():
    lengths = {len(_served().content) for _ in range(20)}
    assert len(lengths) > 1


def test_a_browser_that_does_not_accept_gzip_gets_the_page_as_it_is():
    response = _served(accept="identity")
    assert not response.has_header("Content-Encoding")
    assert "Accept-Encoding" in response["Vary"]
    assert response.content == PAGE


def test_a_short_answer_is_left_as_it_is():
    response = _served(page=b"ok")
    assert not response.has_header("Content-Encoding")
    assert response.content == b"ok"
