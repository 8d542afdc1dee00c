"""depscan: supply-chain checks for npm lockfiles."""

__version__ = "0.1.0"
