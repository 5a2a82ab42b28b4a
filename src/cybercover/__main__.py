"""``python -m cybercover`` runs the command line."""

from cybercover.cli import main

main()
