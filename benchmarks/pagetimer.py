"""What the page benchmarks share: the environment they run in and the timing loop."""

import os
import statistics
import time


def configure_environment() -> None:
    """Settings for an in-process benchmark (before ``django.setup()``)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialorder.settings")
    os.environ.setdefault(
        "SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    )
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault(
        "STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage"
    )


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def time_pages(client, cases: dict[str, str], *, requests: int) -> None:
    """GET each URL once to warm up, once counting queries, then ``requests`` times;
    print the median and 95th percentile in milliseconds and the queries."""
    from django.db import connection

    for name, url in cases.items():
        client.get(url)  # warm up
        queries = QueryCounter()
        with connection.execute_wrapper(queries):
            assert client.get(url).status_code == 200, url
        timings = []
        for _ in range(requests):
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        timings.sort()
        p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
        print(
            f"  {name:<14} median {statistics.median(timings):7.1f} ms   "
            f"p95 {p95:7.1f} ms   {queries.count} queries"
        )
