"""Small database helpers for hot write paths."""

import json
from functools import lru_cache

from django.db import connection, models
from django.utils import timezone


def insert_or_skip(obj: models.Model) -> bool:
    """INSERT an unsaved instance, or nothing when any unique constraint already holds its values.

    One round trip, and no savepoint: unlike a failed INSERT, ON CONFLICT DO NOTHING leaves the
    surrounding transaction usable. Sets the primary key (and auto_now fields) and returns True when
    the row was inserted. No model signals are sent. PostgreSQL and SQLite (3.35+) both speak this SQL.
    """
    now = timezone.now()
    row = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            setattr(obj, field.attname, now)
        row[field.attname] = getattr(obj, field.attname)
    found = insert_rows(type(obj), [row], returning=connection.ops.quote_name(obj._meta.pk.column))
    if not found:
        return False
    obj.pk = found[0][0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return True


@lru_cache(maxsize=32)
def _row_fields(model: type[models.Model], vendor: str) -> tuple[list[str], tuple]:
    # Per column: (field, attname, what fills it when a row leaves it out). Worked out once per model.
    fields = []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            fill = "now"
        elif callable(f.default) and f.has_default():
            fill = "call"
        else:
            fill = f.get_default()
        fields.append((f, f.attname, fill))
    return [connection.ops.quote_name(f.column) for f, _, _ in fields], tuple(fields)


@lru_cache(maxsize=32)
def _json_insert_sql(model: type[models.Model], returning: str) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(_row_fields(model, connection.vendor)[0])
    return (
        f"INSERT INTO {table} ({columns}) SELECT {columns} "  # noqa: S608
        f"FROM jsonb_populate_recordset(NULL::{table}, %s::jsonb) ON CONFLICT DO NOTHING RETURNING {returning}"
    )


def insert_rows(model: type[models.Model], rows: list[dict], *, returning: str) -> list[tuple]:
    """INSERT rows of `model`, given as {attname: value}, in one statement, skipping any row a unique
    constraint already holds (including one an earlier row of the same statement took); returns the
    `returning` expression of each row inserted. A column a row leaves out gets the field's default,
    or now() for auto_now(_add) fields. No model instances are built and no signals are sent: this is
    the batch write of a hot path."""
    if not rows:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    columns, fields = _row_fields(model, connection.vendor)
    now = timezone.now()
    if connection.vendor == "postgresql":
        # The rows travel as ONE JSON parameter that PostgreSQL unpacks into the table's row type: a
        # statement with a placeholder per value costs the driver more to prepare than the insert costs.
        # PostgreSQL converts each value from its JSON text (right for the scalar, uuid, timestamp and
        # JSON fields these tables hold), so Django's per-field conversion is skipped.
        data = json.dumps(_json_rows(fields, rows, now), default=str)
        with connection.cursor() as cursor:
            cursor.execute(_json_insert_sql(model, returning), [data])
            return cursor.fetchall()
    # Elsewhere: placeholders, within the driver's limit on parameters per statement.
    prepared = [
        [
            field.get_db_prep_save(value, connection)
            for (field, _, _), value in zip(fields, _values(fields, row, now), strict=True)
        ]
        for row in rows
    ]
    per_statement = max(1, (connection.features.max_query_params or 30000) // len(columns))
    placeholders = f"({', '.join(['%s'] * len(columns))})"
    found: list[tuple] = []
    for start in range(0, len(prepared), per_statement):
        chunk = prepared[start : start + per_statement]
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
            f"VALUES {', '.join([placeholders] * len(chunk))} ON CONFLICT DO NOTHING RETURNING {returning}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for values_ in chunk for value in values_])
            found.extend(cursor.fetchall())
    return found


def _values(fields: tuple, row: dict, now) -> list:
    """The row's value for each column, in column order, defaults filled in."""
    out = []
    for field, attname, fill in fields:
        if attname in row:
            out.append(row[attname])
        elif fill == "now":
            out.append(now)
        elif fill == "call":
            out.append(field.get_default())
        else:
            out.append(fill)
    return out


def _json_rows(fields: tuple, rows: list[dict], now) -> list[dict]:
    """The rows as {column: value}, defaults filled in. Built by merging each row into the defaults
    rather than field by field: for a drain's batch of several hundred wide rows the per-field loop was
    its largest cost."""
    static = {attname: now if fill == "now" else fill for _, attname, fill in fields if fill != "call"}
    called = [(attname, field) for field, attname, fill in fields if fill == "call"]
    renamed = {attname: field.column for field, attname, _ in fields if attname != field.column}
    out = []
    for row in rows:
        merged = {**static, **row}
        for attname, field in called:
            if attname not in row:
                merged[attname] = field.get_default()  # per row: a callable default (a uuid) differs by row
        out.append({renamed.get(name, name): value for name, value in merged.items()} if renamed else merged)
    return out


def transaction_lock(key: int) -> None:
    """Hold a lock on `key` until the current transaction ends, serializing writers that take it.

    PostgreSQL: a transaction-level advisory lock. SQLite runs IMMEDIATE transactions (see settings),
    which already serialize writers, so nothing more is needed there.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
