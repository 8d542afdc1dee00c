"""Allows ``python -m scanner``."""

from scanner.cli import main

# Guarded: worker processes started with the forkserver or spawn method import __main__.
if __name__ == "__main__":
    main()
