from notifications.kinds import TEXTS, Kind
from notifications.models import Notification, Preference

PAGE_SIZE = 50


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def list_for_user(user, *, after_id: int | None = None, limit: int = PAGE_SIZE):
    notifications = Notification.objects.filter(recipient=user).select_related("actor")
    if after_id is not None:
        notifications = notifications.filter(pk__gt=after_id)
    return list(notifications.order_by("-created_at", "-id")[:limit])


def get_for_user(user, pk) -> Notification | None:
    """The person's own notification, or None: another person's looks like a missing one."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return Notification.objects.filter(recipient=user, pk=pk).first()


def preferences_for(user) -> list[dict]:
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "channel"))
    return [
        {
            "kind": kind,
            "label": label,
            "channel": chosen.get(kind, TEXTS[kind].default),
            "default": TEXTS[kind].default,
        }
        for kind, label in Kind.choices
    ]
