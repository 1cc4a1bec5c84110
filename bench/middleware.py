"""Counts the SQL queries of each request into an X-Queries response header (benchmark settings only)."""

from contextlib import ExitStack

from django.db import connections
from django.http import HttpRequest, HttpResponse

QUERIES_HEADER = "X-Queries"


class QueryCountMiddleware:
    """A database execute wrapper on every connection, for the length of the request; no DEBUG cursor needed.

    Connections are opened before counting starts, so the statements that set up a new connection (once per
    connection, which CONN_MAX_AGE keeps for many requests) are not charged to the request that happened to open it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with ExitStack() as stack:
            for alias in connections:
                connections[alias].ensure_connection()
                stack.enter_context(connections[alias].execute_wrapper(counter))
            response = self.get_response(request)
        response[QUERIES_HEADER] = str(count)
        return response
