"""Changing one client of a YAML portfolio in place, keeping the file's comments, key order and
layout (ruamel.yaml round trip), and writing it atomically."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from pmworkbook.core.files import atomic_write_text


def _yaml(text: str = "") -> YAML:
    yaml = YAML()  # round-trip mode: comments and order survive
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(**_indentation(text))
    return yaml


def _indentation(text: str) -> dict[str, int]:
    """The file's indentation (of a nested mapping, and of a sequence's dashes under their key), so
    that ruamel writes it back as it was. By default it puts the dashes right under the key, and
    would re-indent every line of a file whose dashes are indented, as the demo's are."""
    mapping = offset = None
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    for line, following in itertools.pairwise(lines):
        if not line.rstrip().endswith(":"):
            continue
        key_column = len(line) - len(line.lstrip(" -"))  # "  - project:" is a key at column 4
        step = len(following) - len(following.lstrip(" ")) - key_column
        if following.lstrip().startswith("- ") and offset is None and step >= 0:
            offset = step
        elif not following.lstrip().startswith("- ") and step > 0 and mapping is None:
            mapping = step
    mapping, offset = mapping or 2, offset or 0
    return {"mapping": mapping, "sequence": mapping + offset, "offset": offset}


def _node(value: Any, like: Any = None) -> Any:
    """A plain value as a YAML node, in the style of the one it replaces."""
    if isinstance(value, dt.time):
        return DoubleQuotedScalarString(value.strftime("%H:%M"))  # unquoted 10:00 is a number in YAML 1.1
    if isinstance(value, str) and len(value) == 5 and value[2:3] == ":":
        return DoubleQuotedScalarString(value)
    if isinstance(value, dict):
        node = CommentedMap((k, _node(v)) for k, v in value.items())
        flow = like is not None and getattr(getattr(like, "fa", None), "flow_style", lambda: False)()
        if flow:
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        first = like[0] if isinstance(like, list) and like else None
        seq = CommentedSeq(_node(item, first) for item in value)
        if isinstance(like, CommentedSeq) and like.fa.flow_style():
            seq.fa.set_flow_style()
        return seq
    return value


def set_field(entry: dict[str, Any], dotted: str, value: Any, mapping: type = dict) -> None:
    """Set a dotted field (``communication.meeting_day``) of a client's mapping, making the
    mappings on the way (of type `mapping`) where the client has none yet."""
    *parents, last = dotted.split(".")
    node = entry
    for part in parents:
        if not isinstance(node.get(part), dict):
            node[part] = mapping()
        node = node[part]
    node[last] = value


def apply_changes(data: dict[str, Any], client_id: str, changes: dict[str, Any]) -> None:
    """Set dotted fields of one client of a portfolio mapping (as read from YAML), in place."""
    entry = next((c for c in data.get("clients") or [] if isinstance(c, dict) and c.get("id") == client_id), None)
    if entry is None:
        raise KeyError(f"no client {client_id!r}")
    for dotted, value in changes.items():
        set_field(entry, dotted, value)


def update_client(path: str | Path, client_id: str, changes: dict[str, Any]) -> None:
    """Set dotted fields (e.g. ``communication.meeting_day``) of one client and save the file."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    yaml = _yaml(text)
    document = yaml.load(text)
    entry = next((c for c in document["clients"] if c.get("id") == client_id), None)
    if entry is None:
        raise KeyError(f"{path}: no client {client_id!r}")
    for dotted, value in changes.items():
        parent, _, last = dotted.rpartition(".")
        like = entry
        for part in filter(None, parent.split(".")):
            like = like.get(part) if isinstance(like, dict) else None
        set_field(entry, dotted, _node(value, like.get(last) if isinstance(like, dict) else None), CommentedMap)
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    atomic_write_text(path, buffer.getvalue())
