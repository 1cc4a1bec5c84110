import pytest
from django.db import connections


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: pytest-django raises if the view touches the database.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ready_when_database_and_media_work(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": True, "media": True}


@pytest.mark.django_db
def test_readyz_is_503_when_media_root_is_not_writable(client, settings, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocker / "media"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["media"] is False


@pytest.mark.django_db
def test_readyz_is_503_when_database_is_unreachable(client, monkeypatch):
    connection = connections["default"]

    def refuse(*args, **kwargs):
        raise connection.Database.OperationalError("database is down")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] is False


def test_health_endpoints_refuse_post(client):
    assert client.post("/healthz").status_code == 405
