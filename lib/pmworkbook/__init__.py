"""pmworkbook: client packs for consultants and project managers, built from a portfolio file."""

__version__ = "0.1.0"
