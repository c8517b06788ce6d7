"""The petitions' signature counts: sharded, so no row is one that every signer updates, and repaired
from the signature rows themselves."""

from __future__ import annotations

import logging
import random

from django.conf import settings
from django.db import connection, transaction

from petitions.models import Signature, SignatureCountShard

log = logging.getLogger(__name__)


def _shard() -> int:
    return random.randrange(max(1, settings.PETITION_COUNT_SHARDS))


def count_add(*, petition_id: int, status: str, delta: int) -> None:
    """Add `delta` to one randomly chosen shard of the petition's count for `status`.

    Runs inside the caller's transaction, so the count moves exactly when the signature row commits.
    """
    table = SignatureCountShard._meta.db_table
    shard = _shard()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (petition_id, status, shard, count) VALUES (%s, %s, %s, %s) "  # noqa: S608
            f"ON CONFLICT (petition_id, status, shard) DO UPDATE SET count = {table}.count + excluded.count",
            [petition_id, status, shard, delta],
        )


def signature_counts_reconcile(*, petition_id: int) -> dict[str, int]:
    """Repair drift between the shards and the signature rows; returns the correction per status.

    Drift is measured in ONE statement, so both sides come from the same snapshot: a signer whose row
    and shard increment commit meanwhile is in neither side or in both. The correction is then added as
    a delta, which commutes with concurrent increments. Nothing is locked.
    """
    sig_table = Signature._meta.db_table
    shard_table = SignatureCountShard._meta.db_table
    corrections = {}
    for status in Signature.Status.values:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT (SELECT COUNT(*) FROM {sig_table} WHERE petition_id = %s AND status = %s) - "  # noqa: S608
                f"COALESCE((SELECT SUM(count) FROM {shard_table} WHERE petition_id = %s AND status = %s), 0)",
                [petition_id, status, petition_id, status],
            )
            drift = int(cursor.fetchone()[0])
        if drift:
            with transaction.atomic():
                count_add(petition_id=petition_id, status=status, delta=drift)
            log.warning("signature count drift petition=%s status=%s corrected=%+d", petition_id, status, drift)
            corrections[status] = drift
    return corrections
