from django.db import connection
from django.http import JsonResponse
from django.urls import path

from campaign.urls import handler400, handler403, handler404, handler500  # noqa: F401
from campaign.urls import urlpatterns as site


def bare_json(request):
    """The baseline: a plain Django view answering JSON, through the same middleware."""
    return JsonResponse({"ok": True, "zip": request.GET.get("zip")})


def bare_insert(request):
    """Baseline for write paths: one INSERT in autocommit, through the same middleware."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_baseline_row (created) VALUES (CURRENT_TIMESTAMP)")
    return JsonResponse({"ok": True}, status=201)


urlpatterns = [path("bench/bare/", bare_json), path("bench/insert/", bare_insert), *site]
