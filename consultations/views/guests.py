"""The pages a guest opens from the link in their e-mail (consultations.guests)."""

from django.shortcuts import render

from consultations import guests


def landing(request, token):
    try:
        link = guests.open_link(token)
    except guests.DomainError as refusal:
        return render(request, "consultations/guest_refused.html", {"refusal": refusal}, status=404)
    return render(request, "consultations/guest_landing.html", {"link": link})
