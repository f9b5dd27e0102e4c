def unread(request):
    """The number on the bell in the header: one query per page, for people who are logged in."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(user, "is_guest", False):
        return {}  # a guest has no bell: notify() tells their party's address instead
    from notifications.selectors import unread_count

    return {"unread_notifications": unread_count(user)}
