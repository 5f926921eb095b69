"""Text search: PostgreSQL full-text where available, a plain fallback elsewhere (SQLite)."""

from django.db import connection
from django.db.models import Q


def text_search(queryset, query: str, *, russian: tuple[str, ...], other: tuple[str, ...]):
    """Filter ``queryset`` to rows matching ``query`` in any of the fields.

    On PostgreSQL Russian fields are stemmed with the ``russian`` configuration and the
    others (Kyrgyz, English) matched word for word with ``simple``; elsewhere every word
    must appear, in any field, case-insensitively.
    """
    query = " ".join(query.split())
    if not query:
        return queryset
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector(*russian, config="russian") + SearchVector(*other, config="simple")
        search = SearchQuery(query, config="russian", search_type="websearch") | SearchQuery(
            query, config="simple", search_type="websearch"
        )
        return queryset.annotate(search_document=vector).filter(search_document=search)
    condition = Q()
    for word in query.split():
        any_field = Q()
        for field in (*russian, *other):
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    return queryset.filter(condition)
