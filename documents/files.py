"""Uploaded files in the file storage (settings.STORAGES["default"]): how they are stored and
how they are sent back. Files never live in the database, and a download is streamed from the
storage in chunks (FileResponse), never read into memory whole."""

from __future__ import annotations

from django.core.files import File
from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse

from networks.errors import NotFound


def storable(data: bytes | File) -> File:
    """What a FileField saves: an uploaded file as it is (Django copies it in chunks), or bytes
    (a service called with the file's content) wrapped as a file."""
    return ContentFile(data) if isinstance(data, bytes | bytearray) else data


def download(stored: FieldFile, filename: str) -> FileResponse:
    """The stored file as a download named `filename`, streamed. A file missing from the storage
    (removed by hand, a storage not shared between machines) is a 404, not a server error."""
    try:
        handle = stored.open("rb")
    except FileNotFoundError as error:
        raise NotFound() from error
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/octet-stream"
    )
