"""The package's version, in the lowest layer: builds record it in their manifest and fingerprints,
and `pmworkbook.__version__` re-exports it."""

__version__ = "0.1.0"  # keep in step with pyproject.toml's version
