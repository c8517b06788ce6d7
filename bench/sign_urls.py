from django.db import connection
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bench.urls import urlpatterns as bench_urls
from campaign.urls import handler400, handler403, handler404, handler500  # noqa: F401

BASELINE_TABLE = "bench_sign_baseline"


@csrf_exempt
@require_POST
def bare_sign(request):
    """The baseline for signing: one INSERT ... ON CONFLICT DO NOTHING, through the same middleware."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {BASELINE_TABLE} (email, postal_code) VALUES (%s, %s) "  # noqa: S608
            "ON CONFLICT DO NOTHING RETURNING id",
            [request.POST.get("email", ""), request.POST.get("postal_code", "")],
        )
        inserted = cursor.fetchone() is not None
    return JsonResponse({"ok": True}, status=201 if inserted else 200)


urlpatterns = [path("bench/bare-sign/", bare_sign), *bench_urls]
