"""Building packs for many clients: planning jobs from the registry, warm-kernel workers,
incremental reuse, the manifest and the index pages."""
