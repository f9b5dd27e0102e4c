"""For the guest tests: what a guest reads in the e-mail the SMTP server received (the link, the
code), and letting a guest in as the pages do (open the link, ask for a code, type it with a
name)."""

from __future__ import annotations

import re

from django.db import connection

from consultations import guests

LINK = re.compile(r"(?P<url>https?://\S+?/guest/(?P<token>[^/\s\"<>]+)/)")
CODE = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def link_emails(inbox, address: str) -> list:
    """The link e-mails to this address, in the order received."""
    return [m for to, m in inbox.messages if to == [address] and LINK.search(text_of(m))]


def tokens_to(inbox, address: str) -> list[str]:
    return [LINK.search(text_of(m))["token"] for m in link_emails(inbox, address)]


def codes_to(inbox, address: str) -> list[str]:
    return [
        CODE.search(text_of(m)).group(1)
        for to, m in inbox.messages
        if to == [address] and not LINK.search(text_of(m))
    ]


def new_code(inbox, link) -> str:
    """Ask for a code for the link, as its page does, and read it in the e-mail."""
    before = len(codes_to(inbox, link.guest_pass.email))
    guests.send_code(link)  # sent before it returns
    codes = codes_to(inbox, link.guest_pass.email)
    assert len(codes) == before + 1, "one code e-mail"
    return codes[-1]


def let_in(inbox, token: str, name: str, title: str = ""):
    """The guest opens the link, asks for a code, and types it with their name: their account."""
    link = guests.open_link(token)
    return guests.verify(link, code=new_code(inbox, link), name=name, title=title)


def tables_holding(text: str) -> list[str]:
    """Every database table with a row that holds `text` anywhere (any column, any type)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(include_views=False):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                if any(text in _as_text(value) for value in row):
                    found.append(table)
                    break
    return found


def _as_text(value) -> str:
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)
