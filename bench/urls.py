from django.db import connection
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from campaign.urls import handler400, handler403, handler404, handler500  # noqa: F401
from campaign.urls import urlpatterns as site

# Created and emptied by bench/sign.py; the one table the sign baseline writes to.
SIGN_BASELINE_TABLE = "bench_sign_baseline"


def bare_json(request):
    """The baseline: a plain Django view answering JSON, through the same middleware."""
    return JsonResponse({"ok": True, "zip": request.GET.get("zip")})


@csrf_exempt
@require_POST
def bare_sign(request):
    """The baseline for signing: one INSERT ... ON CONFLICT DO NOTHING, through the same middleware."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {SIGN_BASELINE_TABLE} (email, postal_code) VALUES (%s, %s) "  # noqa: S608
            "ON CONFLICT DO NOTHING RETURNING id",
            [request.POST.get("email", ""), request.POST.get("postal_code", "")],
        )
        inserted = cursor.fetchone() is not None
    return JsonResponse({"ok": True}, status=201 if inserted else 200)


urlpatterns = [path("bench/bare/", bare_json), path("bench/bare-sign/", bare_sign), *site]
