"""Ratios, side by side, in one run: Meute against the floor each figure could reach.

    python -m bench.ratios                     # every row; see bench/README.md
    python -m bench.ratios --only P1,P2 --big 200000

Each row divides what Meute does by what a trivial server, bare icalendar or a smaller
database does on the same machine in the same run, so the machine's speed mostly cancels out.
"""
