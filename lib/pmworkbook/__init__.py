"""pmworkbook: client packs for consultants and project managers, built from a portfolio file."""

from pmworkbook.core.version import __version__ as __version__
