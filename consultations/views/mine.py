"""What happened to my comments: each comment, its answer, and where its passage stands now."""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import render

from consultations.models import CarriedComment, Comment


@login_required
def my_comments(request):
    comments = list(
        Comment.objects.filter(author=request.user, parent__isnull=True, deleted_at__isnull=True)
        .select_related("round__document", "version", "disposition__applied_in")
        .prefetch_related(
            Prefetch(
                "carried",
                queryset=CarriedComment.objects.select_related("version").order_by(
                    "-version__number"
                ),
                to_attr="carried_list",
            )
        )
        .order_by("-created_at")[:200]
    )
    for comment in comments:
        comment.now = comment.carried_list[0] if comment.carried_list else None
    return render(request, "consultations/my_comments.html", {"comments": comments})
