def unread(request):
    """The number on the bell in the header: one query per page, for people who are logged in."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from notifications.selectors import unread_count

    return {"unread_notifications": unread_count(user)}
