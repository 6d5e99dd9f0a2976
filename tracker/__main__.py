"""``python -m tracker`` runs the CLI."""

from .cli import main

main(prog_name="tracker")
