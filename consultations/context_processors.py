def guest(request):
    """For the header: a guest is offered their round and logging out, nothing that would
    answer 404 (consultations.middleware.GuestScopeMiddleware sets request.guest)."""
    found = getattr(request, "guest", None)
    if found is None:
        return {}
    consultee = found.guest_pass.consultee
    return {"guest": found, "guest_party": consultee.party, "guest_round": consultee.round}
