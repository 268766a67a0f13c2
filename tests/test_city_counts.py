"""Each city's upcoming count (home page, /cities, the API) is counted once and kept, yet a
proposal or a cancellation shows on the very next request, in this process and any other.

"Another process" is a second app on the same database: its own memory, its own cache. The
clock the counts read is held still (held_minute) so that no test crosses into a new minute
by chance; tests that are about the minute move it.
"""

import re
from datetime import timedelta

import pytest

from meetups.extensions import db
from meetups.gatherings.counts import COMMIT_LAG
from meetups.gatherings.models import Gathering, Status
from tests.conftest import form_data
from tests.test_feeds import signed_in

COUNT = re.compile(r'href="/cities/([^"]+)">[^<]*</a>\s*<span class="count">(\d+)')
PARIS = {"city": "Paris", "venue_address": "5 rue de Rivoli, 75004 Paris"}


def shown(client) -> dict[str, dict[str, int]]:
    """Each city's count as the home page, /cities and the API show it."""
    pages = {path: client.get(path) for path in ("/", "/cities", "/api/v1/cities")}
    assert all(page.status_code == 200 for page in pages.values())
    found = {path: {s: int(n) for s, n in COUNT.findall(pages[path].text)} for path in pages}
    found["/api/v1/cities"] = {
        city["slug"]: city["upcoming_count"] for city in pages["/api/v1/cities"].json["cities"]
    }
    return found


def assert_shown(client, counts: dict[str, int]) -> None:
    """Every city with its count on /cities and in the API; those with some on the home page."""
    assert shown(client) == {
        "/": {slug: n for slug, n in counts.items() if n},
        "/cities": counts,
        "/api/v1/cities": counts,
    }


def counting(sql: list[str]) -> list[str]:
    """The statements among these that count each city's gatherings."""
    return [statement for statement in sql if "GROUP BY cities.id" in statement]


def cancel_as_a_late_commit(app, gathering_id: int, stamped) -> None:
    """Cancel a gathering as a transaction would that wrote its updated_at at `stamped` and
    committed only now (after others had counted)."""
    with app.app_context():
        gathering = db.session.get(Gathering, gathering_id)
        gathering.status = Status.CANCELLED
        gathering.sequence += 1
        gathering.updated_at = stamped
        db.session.commit()


def test_a_proposal_and_a_cancellation_show_at_once_in_every_process(
    app, client, create_user, create_gathering, other_process, held_minute
):
    organiser = create_user()
    first = create_gathering(organiser)  # in Lyon
    other = other_process().test_client()
    for browser in (client, other):  # each process has counted, and keeps the counts
        assert_shown(browser, {"lyon": 1})

    host = signed_in(app, organiser)
    assert host.post("/events/new", data=form_data(title="À Paris", **PARIS)).status_code == 303
    for browser in (other, client):
        assert_shown(browser, {"lyon": 1, "paris": 1})

    assert host.post(f"/events/{first.id}/cancel").status_code == 303
    for browser in (other, client):
        assert_shown(browser, {"lyon": 0, "paris": 1})


def test_the_counts_are_kept_not_counted_per_request(
    app, client, create_user, create_gathering, statements, held_minute
):
    organiser = create_user()
    for n in range(3):
        create_gathering(organiser, title=f"Rencontre {n}")
    watch = statements(app)
    client.get("/")  # counts, once
    assert len(counting(watch.sql)) == 1
    for path, budget in {"/": 4, "/cities": 1, "/api/v1/cities": 1}.items():
        del watch.sql[:]
        assert client.get(path).status_code == 200
        # The home page's listing, tags, seats taken, and the counts' key: no count.
        assert len(watch.sql) == budget, (path, watch.sql)
        assert counting(watch.sql) == [], path

    # A write: the next request counts again, once, for every page.
    signed_in(app, organiser).post("/events/new", data=form_data(title="Une de plus"))
    del watch.sql[:]
    assert_shown(client, {"lyon": 4})
    assert len(counting(watch.sql)) == 1

    # A new minute: counted again (gatherings that ended meanwhile leave the counts).
    held_minute.now += timedelta(minutes=1)
    del watch.sql[:]
    client.get("/")
    client.get("/")
    assert len(counting(watch.sql)) == 1


def test_a_gathering_that_ends_leaves_the_counts_within_a_minute(
    app, client, create_gathering, get_gathering, held_minute
):
    ends_at = get_gathering(create_gathering().id).ends_at
    held_minute.now = ends_at - timedelta(seconds=10)
    assert_shown(client, {"lyon": 1})
    held_minute.now = ends_at + timedelta(minutes=1)
    assert_shown(client, {"lyon": 0})


def test_a_change_committed_soon_after_its_stamp_shows_at_once(
    app, client, create_user, create_gathering, held_minute
):
    # Commit order: another write came (and was counted) between this change's updated_at and
    # its commit; the change is still newer than the minute less COMMIT_LAG, so it is seen.
    organiser = create_user()
    first, _second = create_gathering(organiser), create_gathering(organiser)
    held_minute.now += timedelta(minutes=10)  # both proposals are old news
    assert_shown(client, {"lyon": 2})
    cancel_as_a_late_commit(app, first.id, stamped=held_minute.now - COMMIT_LAG / 2)
    assert_shown(client, {"lyon": 1})


def test_a_change_committed_long_after_its_stamp_shows_at_the_next_minute(
    app, client, create_user, create_gathering, held_minute
):
    # The bound the counts keep: what the key cannot see, the next minute's count does.
    organiser = create_user()
    first, _second = create_gathering(organiser), create_gathering(organiser)
    held_minute.now += timedelta(minutes=10)
    assert_shown(client, {"lyon": 2})
    cancel_as_a_late_commit(app, first.id, stamped=held_minute.now - 3 * COMMIT_LAG)
    assert_shown(client, {"lyon": 2})  # missed, as documented
    held_minute.now += timedelta(minutes=1)
    assert_shown(client, {"lyon": 1})


def test_the_kept_lists_are_kept_per_language(client, create_gathering, held_minute):
    create_gathering()
    french = client.get("/", headers={"Accept-Language": "fr"}).text
    english = client.get("/", headers={"Accept-Language": "en"}).text
    assert "1 à venir" in french and "1 upcoming" not in french
    assert "1 upcoming" in english and "1 à venir" not in english


@pytest.fixture
def shared(app, app_config, redis_url):
    """Processes that keep the counts in Redis as well."""
    return {**app_config, "REDIS_URL": redis_url}


def test_processes_share_the_counts_through_redis(
    app, shared, create_user, create_gathering, other_process, statements, held_minute
):
    organiser = create_user()
    create_gathering(organiser)
    first, second = other_process(**shared), other_process(**shared)
    watches = [statements(first), statements(second)]
    assert_shown(first.test_client(), {"lyon": 1})
    assert_shown(second.test_client(), {"lyon": 1})
    assert [len(counting(watch.sql)) for watch in watches] == [1, 0]  # counted by one

    signed_in(first, organiser).post("/events/new", data=form_data(title="À Paris", **PARIS))
    assert_shown(second.test_client(), {"lyon": 1, "paris": 1})
    assert_shown(first.test_client(), {"lyon": 1, "paris": 1})
    assert [len(counting(watch.sql)) for watch in watches] == [1, 1]
