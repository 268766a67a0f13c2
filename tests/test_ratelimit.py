"""Sign-in attempts are rate limited per address, unless the operator turns it off."""

import pytest


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATELIMIT_ENABLED": True}


def test_too_many_sign_in_attempts_get_429(client, create_user):
    user = create_user()
    attempts = [
        client.post(
            "/auth/login",
            data={"email": user.email, "password": "wrong password"},
            headers={"Accept-Language": "en"},
        )
        for _ in range(11)
    ]
    assert [r.status_code for r in attempts[:10]] == [200] * 10
    assert attempts[10].status_code == 429
    assert "Too many requests" in attempts[10].text


def test_reading_the_sign_in_page_is_not_limited(client):
    assert {client.get("/auth/login").status_code for _ in range(15)} == {200}
