"""What every layer uses: problems as values, safe file writes and cached reads, the templates
folder with its catalogs, and locale formatting."""
