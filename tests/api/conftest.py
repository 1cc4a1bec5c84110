"""Fixtures of the API tests: tokens with chosen scopes and a client that sends them."""

import pytest

from api.services import create_token


@pytest.fixture
def token_for(db):
    """token_for(user, "read", "buy") makes a token and returns its secret (the Authorization bearer)."""

    def make(user, *scopes: str, name: str = "test") -> str:
        return create_token(user, name, scopes or ("read", "buy", "sell"))[1]

    return make


@pytest.fixture
def api(client, token_for):
    """api(user, *scopes) is a test client whose requests carry a fresh token of ``user`` (no user: anonymous).

    ``api(alice, "sell").post("/api/v1/...", {...})`` sends JSON.
    """

    class Api:
        def __init__(self, headers):
            self.headers = headers

        def _send(self, method, path, data=None, **extra):
            kwargs = {"headers": {**self.headers, **extra.pop("headers", {})}, **extra}
            if data is not None and method != "get":
                kwargs.setdefault("content_type", "application/json")
            return (
                getattr(client, method)(path, data, **kwargs)
                if data is not None
                else getattr(client, method)(path, **kwargs)
            )

        def get(self, path, data=None, **extra):
            return self._send("get", path, data, **extra)

        def post(self, path, data=None, **extra):
            return self._send("post", path, data, **extra)

        def put(self, path, data=None, **extra):
            return self._send("put", path, data, **extra)

        def patch(self, path, data=None, **extra):
            return self._send("patch", path, data, **extra)

        def delete(self, path, data=None, **extra):
            return self._send("delete", path, data, **extra)

    def make(user=None, *scopes: str):
        headers = {"Authorization": f"Bearer {token_for(user, *scopes)}"} if user is not None else {}
        return Api(headers)

    return make
