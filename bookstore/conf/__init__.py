"""The settings' self-contained sections, each read from the environment: ``bookstore/settings.py`` gathers them.

``environment`` reads the environment (``env``, ``env_secret``, ``BASE_DIR``, ``DEBUG``); ``database``, ``caches``,
``files``, ``jobs`` (background jobs and email) and ``logs`` each build one part of the settings from it. None of
them imports an app: they only name the apps' classes by dotted path.
"""
