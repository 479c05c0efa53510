"""Process-level set-up of a build worker (a local pool process or a Dask worker).

Two things make a long-lived worker cheaper, both measured in `bench/`:
- lean imports: jsonschema (through nbformat) loads `rfc3987_syntax` when it is installed
  (jupyter-events pulls it in next to JupyterLab); that module builds a grammar at import,
  0.7 s per worker, to check IRI formats that no notebook schema uses
  (python-jsonschema/jsonschema#1392). The worker skips it, as if it were not installed.
- a frozen heap: after the first document every library is loaded; `gc.freeze()` takes those
  objects out of the collector's view, so the full collections that WeasyPrint's many small
  objects trigger (about 0.2 s each, 13 in 20 documents) only walk the newer objects. A larger
  first threshold then cuts the young collections from about 90 to 5 a document (GC time per
  20 documents: 2.8 s as Python starts, 0.6 s frozen, 0.4 s frozen with the larger threshold).
"""

from __future__ import annotations

import gc
import sys

_UNUSED_MODULES = ("rfc3987_syntax",)
YOUNG_THRESHOLD = 10_000  # allocations between young collections (Python's default: 700)
_state = {"heap_frozen": False}


def lean_imports() -> None:
    """Before the first import of papermill/nbformat in this process."""
    for name in _UNUSED_MODULES:
        # None in sys.modules makes `import name` raise ImportError, which jsonschema handles.
        sys.modules.setdefault(name, None)


def freeze_heap_once() -> None:
    """After the first document: collect once, then keep what is left out of later collections."""
    if _state["heap_frozen"]:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    _state["heap_frozen"] = True
