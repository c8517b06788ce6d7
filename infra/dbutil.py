"""Small database helpers for hot write paths."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeAlias

from django.db import connection, models
from django.utils import timezone

# Per column: (field, attname, what fills it when a row leaves it out).
_Column: TypeAlias = "tuple[models.Field[Any, Any], str, Any]"


def _column(field: models.Field[Any, Any]) -> str:
    # Concrete fields always have a column; the stubs' type allows None for the others.
    if field.column is None:
        raise TypeError(f"{field!r} has no column")
    return field.column


def insert_or_skip(obj: models.Model) -> bool:
    """INSERT an unsaved instance, or nothing when any unique constraint already holds its values.

    One round trip, and no savepoint: unlike a failed INSERT, ON CONFLICT DO NOTHING leaves the
    surrounding transaction usable. Sets the primary key (and auto_now fields) and returns True when
    the row was inserted. No model signals are sent. PostgreSQL and SQLite (3.35+) both speak this SQL.
    """
    now = timezone.now()
    row: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            setattr(obj, field.attname, now)
        row[field.attname] = getattr(obj, field.attname)
    found = insert_rows(type(obj), [row], returning=connection.ops.quote_name(_column(obj._meta.pk)))
    if not found:
        return False
    obj.pk = found[0][0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return True


@lru_cache(maxsize=32)
def _row_fields(model: type[models.Model], vendor: str) -> tuple[list[str], tuple[_Column, ...]]:
    # Per column: (field, attname, what fills it when a row leaves it out). Worked out once per model.
    fields: list[_Column] = []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            fill: Any = "now"
        elif callable(f.default) and f.has_default():
            fill = "call"
        else:
            fill = f.get_default()
        fields.append((f, f.attname, fill))
    return [connection.ops.quote_name(_column(f)) for f, _, _ in fields], tuple(fields)


@lru_cache(maxsize=32)
def _json_insert_sql(model: type[models.Model], returning: str) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(_row_fields(model, connection.vendor)[0])
    return (
        f"INSERT INTO {table} ({columns}) SELECT {columns} "  # noqa: S608
        f"FROM jsonb_populate_recordset(NULL::{table}, %s::jsonb) ON CONFLICT DO NOTHING RETURNING {returning}"
    )


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]], *, returning: str) -> list[tuple[Any, ...]]:
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
            inserted: list[tuple[Any, ...]] = cursor.fetchall()
            return inserted
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
    found: list[tuple[Any, ...]] = []
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


def _values(fields: tuple[_Column, ...], row: dict[str, Any], now: datetime) -> list[Any]:
    """The row's value for each column, in column order, defaults filled in."""
    out: list[Any] = []
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


def _json_rows(fields: tuple[_Column, ...], rows: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """The rows as {column: value}, defaults filled in. Built by merging each row into the defaults
    rather than field by field: for a drain's batch of several hundred wide rows the per-field loop was
    its largest cost."""
    static = {attname: now if fill == "now" else fill for _, attname, fill in fields if fill != "call"}
    called = [(attname, field) for field, attname, fill in fields if fill == "call"]
    renamed = {attname: _column(field) for field, attname, _ in fields if attname != field.column}
    out: list[dict[str, Any]] = []
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
