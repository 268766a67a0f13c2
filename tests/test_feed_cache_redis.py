"""With MEETUPS_REDIS_URL set, feed bodies are shared through Redis by every process."""

import pytest
import redis

from meetups import create_app
from meetups.extensions import db
from meetups.gatherings import services
from meetups.gatherings.models import Gathering


@pytest.fixture
def app_config(app_config, redis_url):
    return {**app_config, "REDIS_URL": redis_url}


@pytest.fixture
def other_worker(app_config):
    """another_worker(config=None): an app standing for another process, closed afterwards."""
    apps = []

    def make(config=None):
        apps.append(create_app(config or app_config))
        return apps[-1]

    yield make
    for other in apps:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_feed_built_by_one_process_is_served_by_another(
    app, redis_url, create_gathering, other_worker
):
    create_gathering(title="Apéro partagé")
    first = app.test_client().get("/cities/lyon/calendar.ics")
    assert first.status_code == 200 and b"Ap\xc3\xa9ro partag\xc3\xa9" in first.data
    keys = redis.Redis.from_url(redis_url).keys("meute:feed:*")
    assert len(keys) == 1  # the body went to Redis, not only to this process

    other = other_worker()  # another worker: its own (empty) process memory
    second = other.test_client().get("/cities/lyon/calendar.ics")
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    assert redis.Redis.from_url(redis_url).keys("meute:feed:*") == keys  # served, not rebuilt


def test_a_change_is_seen_by_every_process_despite_the_shared_cache(
    app, create_gathering, other_worker
):
    gathering = create_gathering(title="Avant")
    other = other_worker()
    before = other.test_client().get("/cities/lyon/calendar.ics")
    with app.app_context():
        services.cancel(db.session.get(Gathering, gathering.id))
        db.session.commit()
    after = other.test_client().get(
        "/cities/lyon/calendar.ics", headers={"If-None-Match": before.headers["ETag"]}
    )
    assert after.status_code == 200
    assert b"STATUS:CANCELLED" in after.data


def test_feeds_still_work_when_redis_is_down(app_config, create_gathering, other_worker):
    create_gathering(title="Sans Redis")
    broken = other_worker({**app_config, "REDIS_URL": "redis://127.0.0.1:1/0"})
    response = broken.test_client().get("/cities/lyon/calendar.ics")
    assert response.status_code == 200
    assert b"Sans Redis" in response.data
