from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Site-wide helpers every app may use: money, state machines, template tags, the cache backend, rate limits.

    The bottom layer of the project: it imports no other app of ours (``lint-imports`` checks it).
    """

    name = "core"
