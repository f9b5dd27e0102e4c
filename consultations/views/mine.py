"""What happened to my comments: each comment, its answer, its thread, and where its passage
stands in the latest published version."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from consultations import selectors


@login_required
def my_comments(request):
    comments = selectors.list_my_comments(request.user)
    return render(request, "consultations/my_comments.html", {"comments": comments})
