"""The export tells each answer's story: every change, in line or seated, with its time.
Function-scoped apps: the module world of test_export.py shares PostgreSQL's database."""

import json
from datetime import datetime

from tests.conftest import form_data
from tests.test_rsvp import new_person


def test_an_answer_comes_with_its_story(app, create_user):
    """Going on a full gathering (in line), moved up when a seat frees, then "no": each step."""
    camille, hugo, lea = (new_person(app, create_user) for _ in range(3))
    made = camille.client.post("/events/new", data=form_data(title="Apéro", capacity="2"))
    gid = int(made.headers["Location"].rsplit("/", 1)[1])
    hugo.answers(gid, "going")
    lea.answers(gid, "going")  # the last seat is Hugo's: she waits
    hugo.answers(gid, "no")  # his seat goes to her
    lea.answers(gid, "no")

    def story(person):
        (rsvp,) = json.loads(person.client.get("/me/export.json").data)["rsvps"]
        steps = [(s["response"], s["is_waitlisted"]) for s in rsvp["history"]]
        times = [datetime.fromisoformat(s["at"]) for s in rsvp["history"]]
        assert times == sorted(times)
        return steps

    assert story(lea) == [("going", True), ("going", False), ("no", False)]
    assert story(hugo) == [("going", False), ("no", False)]
    assert story(camille) == [("going", False)]  # the organiser's seat, from the proposal
