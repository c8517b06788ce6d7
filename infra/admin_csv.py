"""A CSV export action for admin lists: streamed, formulas neutralized, personal columns only for staff
who hold contacts.view_personal_data."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, runtime_checkable

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse

from infra.csvexport import csv_response


@runtime_checkable
class CsvColumns(Protocol):
    """What a ModelAdmin offering this action defines: (label, getter) per column, for this request."""

    def csv_columns(self, request: HttpRequest) -> Sequence[tuple[str, Callable[[Any], object]]]: ...


@admin.action(description="Export selected rows as CSV")
def export_csv(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
) -> StreamingHttpResponse:
    if not isinstance(modeladmin, CsvColumns):
        raise TypeError(f"{type(modeladmin).__name__} offers export_csv but defines no csv_columns()")
    columns = modeladmin.csv_columns(request)

    def rows() -> Iterator[list[object]]:
        yield [label for label, _ in columns]
        for obj in queryset.iterator(chunk_size=2000):
            yield [getter(obj) for _, getter in columns]

    return csv_response(rows(), filename=f"{modeladmin.model._meta.model_name}s.csv")
