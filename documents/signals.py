"""What documents tells whoever listens: its own hooks, which know nobody above it.

`version_published` is sent by `documents.services.publish_version` inside its transaction,
after the version and its sections are written and before anyone is told, with `version` and
`by_user`. A receiver that keeps things about versions updates them there; an error in it undoes
the publishing (the signal is sent with `send`, not `send_robust`). Apps above documents connect
their receivers in their AppConfig.ready(); documents works the same with none connected.
"""

from django.dispatch import Signal

version_published = Signal()
