import pytest


@pytest.mark.django_db
def test_healthz_reports_each_dependency(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_healthz_is_503_when_broker_is_unreachable(client, settings):
    from campaign.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


@pytest.mark.django_db
def test_unknown_api_path_gets_json_404_in_the_error_shape(client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"message": "Not found.", "errors": {}}


@pytest.mark.django_db
def test_request_log_has_one_line_without_query_strings_or_tokens(client, caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="campaign.request"):
        client.get("/api/v1/representatives/", {"zip": "05401", "address": "1 Secret St"})
        client.get("/unsubscribe/a-signed-token-value/")
    lines = [r.getMessage() for r in caplog.records if r.name == "campaign.request"]
    assert len(lines) == 2
    assert "path=/api/v1/representatives/ status=200" in lines[0] and "Secret" not in lines[0]
    assert "a-signed-token-value" not in lines[1] and "path=/unsubscribe/<str:token>/" in lines[1]
    assert all("id=" in line for line in lines)
