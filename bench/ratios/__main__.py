"""`python -m bench.ratios`: see bench/ratios/__init__.py."""

from bench.ratios.run import main

main()
