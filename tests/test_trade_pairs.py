"""`flask trade-pairs`: list, add and remove the complementary trade pairs."""

import pytest

from meetups.extensions import db


def stored(app) -> set[tuple[str, str]]:
    from meetups.accounts.models import TradePair

    with app.app_context():
        return {
            tuple(row) for row in db.session.execute(db.select(TradePair.first, TradePair.second))
        }


def test_the_list_shows_each_pair_with_its_english_names_sorted_and_a_count(app, runner):
    result = runner.invoke(args=["trade-pairs"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == "24 pairs."
    pairs = [line.split()[:2] for line in lines[:-1]]
    assert pairs == sorted(pairs) and len(pairs) == 24
    assert all(first < second for first, second in pairs)
    writer = next(line for line in lines if line.split()[:2] == ["correcteur", "redacteur-web"])
    assert writer.endswith("proofreader + web writer")
    assert stored(app) == {tuple(pair) for pair in pairs}


def test_add_stores_the_pair_once_either_way_round(app, runner):
    before = stored(app)
    result = runner.invoke(args=["trade-pairs", "add", "seo", "juriste"])
    assert result.exit_code == 0, result.output
    assert "Added" in result.output
    assert stored(app) == before | {("juriste", "seo")}
    again = runner.invoke(args=["trade-pairs", "add", "juriste", "seo"])
    assert again.exit_code == 0
    assert "already a pair" in again.output
    assert stored(app) == before | {("juriste", "seo")}
    assert runner.invoke(args=["trade-pairs"]).output.splitlines()[-1] == "25 pairs."


def test_remove_deletes_the_pair_either_way_round(app, runner):
    before = stored(app)
    result = runner.invoke(args=["trade-pairs", "remove", "seo", "redacteur-web"])
    assert result.exit_code == 0, result.output
    assert "Removed" in result.output
    assert stored(app) == before - {("redacteur-web", "seo")}


def test_removing_a_pair_that_does_not_exist_says_so_and_fails(app, runner):
    before = stored(app)
    result = runner.invoke(args=["trade-pairs", "remove", "juriste", "photographe"])
    assert result.exit_code == 1
    assert "juriste and photographe are not a pair" in result.output
    assert stored(app) == before


@pytest.mark.parametrize(
    ("args", "unknown", "suggested"),
    [
        (["redacteur", "seo"], "redacteur", "redacteur-web"),
        (["seo", "proofreader"], "proofreader", "correcteur"),  # an English name: its slug
        (["comptabl", "juriste"], "comptabl", "comptable"),
        (["juriste", "Xyzzy"], "Xyzzy", None),
    ],
)
@pytest.mark.parametrize("command", ["add", "remove"])
def test_an_unknown_slug_is_named_with_close_ones_and_changes_nothing(
    app, runner, command, args, unknown, suggested
):
    before = stored(app)
    result = runner.invoke(args=["trade-pairs", command, *args])
    assert result.exit_code != 0
    assert f"Unknown trade slug “{unknown}”" in result.output
    if suggested:
        assert "Did you mean" in result.output and suggested in result.output
    assert stored(app) == before


@pytest.mark.parametrize("command", ["add", "remove"])
def test_a_trade_is_not_paired_with_itself(app, runner, command):
    before = stored(app)
    result = runner.invoke(args=["trade-pairs", command, "seo", "seo"])
    assert result.exit_code != 0
    assert "two different slugs" in result.output
    assert stored(app) == before


def test_the_help_says_what_each_outcome_does(runner):
    result = runner.invoke(args=["trade-pairs", "--help"])
    assert result.exit_code == 0
    assert "add" in result.output and "remove" in result.output
    assert "exit status 1" in result.output
    assert "trade-pairs" in runner.invoke(args=["--help"]).output
