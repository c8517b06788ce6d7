"""Small database helpers for hot write paths."""

import json
from functools import lru_cache

from django.db import connection, models

# Fields whose database value is the Python value itself when that is a str, int, bool or None: for
# them the per-field conversion (get_db_prep_save) can be skipped, which on a wide row is most of it.
_PLAIN_FIELDS = (models.CharField, models.TextField, models.BooleanField, models.IntegerField)
_PLAIN_VALUES = (str, int, bool, type(None))


@lru_cache(maxsize=128)
def _insert_fields(model: type[models.Model], exclude: tuple[str, ...], vendor: str) -> tuple[tuple, list[str]]:
    # Worked out once per model: hot paths insert the same columns on every request.
    qn = connection.ops.quote_name
    fields = tuple(
        (f, f.attname, type(f).pre_save is models.Field.pre_save and isinstance(f, _PLAIN_FIELDS))
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in exclude
    )
    return fields, [qn(f.column) for f, _, _ in fields]


def insert_columns(
    obj: models.Model, *, exclude: tuple[str, ...] = (), keep: tuple[str, ...] = ()
) -> tuple[list[str], list]:
    """Quoted column names and database values for inserting `obj` (auto_now_add and defaults applied,
    except to the fields named in `keep`, whose values set on `obj` go in as they are)."""
    fields, columns = _insert_fields(type(obj), exclude, connection.vendor)
    values = []
    for field, attname, plain in fields:
        if attname in keep:
            values.append(field.get_db_prep_save(getattr(obj, attname), connection))
            continue
        if plain:
            value = getattr(obj, attname)
            if type(value) in _PLAIN_VALUES:
                values.append(value)
                continue
        values.append(field.get_db_prep_save(field.pre_save(obj, add=True), connection))
    return list(columns), values


def insert_or_skip(obj: models.Model) -> bool:
    """INSERT an unsaved instance, or nothing when any unique constraint already holds its values.

    One round trip, and no savepoint: unlike a failed INSERT, ON CONFLICT DO NOTHING leaves the
    surrounding transaction usable. Sets the primary key and returns True when the row was inserted.
    No model signals are sent. PostgreSQL and SQLite (3.35+) both speak this SQL.
    """
    meta = obj._meta
    columns, values = insert_columns(obj)
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))}) ON CONFLICT DO NOTHING RETURNING {qn(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return True


def insert_many(
    objs: list[models.Model], *, returning: str, exclude: tuple[str, ...] = (), keep: tuple[str, ...] = ()
) -> list[tuple]:
    """INSERT unsaved instances of one model in one statement, skipping any row a unique constraint
    already holds (including one an earlier row of the same statement took); returns the `returning`
    expression of each row inserted. Sets no primary keys and sends no signals. `exclude` and `keep` are
    as for insert_columns."""
    if not objs:
        return []
    meta = objs[0]._meta
    table = connection.ops.quote_name(meta.db_table)
    if connection.vendor == "postgresql":
        # The rows travel as ONE JSON parameter that PostgreSQL unpacks into the table's row type: a
        # statement with a placeholder per value costs the driver more to prepare than the insert costs.
        # PostgreSQL also converts each value from its JSON text, so Django's per-field conversion is
        # skipped (right for the scalar fields, uuids and timestamps these tables hold).
        fields, columns = _insert_fields(type(objs[0]), exclude, connection.vendor)
        named = [
            (f.column, attname, attname in keep or type(f).pre_save is models.Field.pre_save, f)
            for f, attname, _ in fields
        ]
        data = json.dumps(
            [
                {
                    column: getattr(obj, attname) if as_set else field.pre_save(obj, add=True)
                    for column, attname, as_set, field in named
                }
                for obj in objs
            ],
            default=str,
        )
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} "  # noqa: S608
            f"FROM jsonb_populate_recordset(NULL::{table}, %s::jsonb) ON CONFLICT DO NOTHING RETURNING {returning}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [data])
            return cursor.fetchall()
    # Elsewhere, within the driver's limit on parameters per statement.
    rows = [insert_columns(obj, exclude=exclude, keep=keep) for obj in objs]
    columns = rows[0][0]
    per_statement = max(1, (connection.features.max_query_params or 30000) // len(columns))
    placeholders = f"({', '.join(['%s'] * len(columns))})"
    found: list[tuple] = []
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
            f"VALUES {', '.join([placeholders] * len(chunk))} ON CONFLICT DO NOTHING RETURNING {returning}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for _, values in chunk for value in values])
            found.extend(cursor.fetchall())
    return found


def transaction_lock(key: int) -> None:
    """Hold a lock on `key` until the current transaction ends, serializing writers that take it.

    PostgreSQL: a transaction-level advisory lock. SQLite runs IMMEDIATE transactions (see settings),
    which already serialize writers, so nothing more is needed there.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
