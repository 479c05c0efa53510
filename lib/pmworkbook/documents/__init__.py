"""The document kinds (a registry) and each kind's sections, which its notebook displays."""
