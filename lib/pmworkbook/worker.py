"""Process-level set-up of a build worker (a local pool process or a Dask worker).

Two things make a long-lived worker cheaper, both measured in `bench/`:
- lean imports: jsonschema (through nbformat) loads `rfc3987_syntax` when it is installed
  (jupyter-events pulls it in next to JupyterLab); that module builds a grammar at import,
  0.7 s per worker, to check IRI formats that no notebook schema uses
  (python-jsonschema/jsonschema#1392). The worker skips it, as if it were not installed.
- a frozen heap: after the first document every library is loaded; `gc.freeze()` takes those
  objects out of the collector's view, so the full collections that WeasyPrint's many small
  objects trigger (about 0.2 s each, 13 in 20 documents) only walk the newer objects: GC time
  per 20 documents goes from 2.8 s to 0.6 s. (A larger young threshold saved no time in a full
  build and cost 110 MiB per worker, so Python's defaults stay.)
"""

from __future__ import annotations

import gc
import sys

_UNUSED_MODULES = ("rfc3987_syntax",)
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
    _state["heap_frozen"] = True
