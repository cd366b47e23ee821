"""What one load reads: input paths, each optionally with its own mapping.

An input is a path (a folder, a zip or tar.gz as downloaded, or a single file) or a
``DataEntry``: a path with its own mapping (``{path: panel.csv, mapping: panel.yaml}`` in a
params file's ``data``; the mapping a YAML path or an inline dict in the mapping format of
``warmcall.ingest.loaders.mapped``). An entry's own mapping always applies to it; a load's
top-level mapping (params ``mapping``, ``warmcall load --mapping``) applies only to inputs
that no loader recognises as a known export (``warmcall.ingest.load.load``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Discriminator, Tag, ValidationError

from warmcall.core.errors import InputError

#: Tags of the discriminated unions below; ``params`` leaves them out of error messages.
TAGS = ("(path)", "(entry)", "(file)", "(inline)")


def _mapping_kind(v: object) -> str:
    return "(inline)" if isinstance(v, dict) else "(file)"


MappingSpec = Annotated[
    Annotated[Path, Tag("(file)")] | Annotated[dict[str, Any], Tag("(inline)")],
    Discriminator(_mapping_kind),
]


class DataEntry(BaseModel):
    """An input path with its own mapping (a YAML path or an inline mapping dict)."""

    model_config = ConfigDict(extra="forbid")

    path: Path
    mapping: MappingSpec | None = None


def _input_kind(v: object) -> str:
    return "(entry)" if isinstance(v, dict | DataEntry) else "(path)"


#: One item of params ``data``: a path, or a ``DataEntry`` written as a mapping.
InputSpec = Annotated[
    Annotated[Path, Tag("(path)")] | Annotated[DataEntry, Tag("(entry)")],
    Discriminator(_input_kind),
]

Input = str | os.PathLike[str] | DataEntry | dict[str, Any]


def as_entry(item: Input) -> DataEntry:
    """A path, a ``DataEntry`` or its dict form (``{"path": ..., "mapping": ...}``, as
    ``Params.to_papermill`` writes it) as a ``DataEntry`` (``mapping`` None for a path)."""
    if isinstance(item, DataEntry):
        return item
    if isinstance(item, dict):
        try:
            return DataEntry.model_validate(item)
        except ValidationError as e:
            err = e.errors()[0]
            key = ".".join(str(p) for p in err["loc"] if p not in TAGS)
            raise InputError("data entry", f"{key or 'entry'}: {err['msg']}") from None
    return DataEntry(path=Path(item))


def as_entries(items: tuple[Input, ...] | list[Input]) -> list[DataEntry]:
    """``as_entry`` of each item, in order."""
    return [as_entry(x) for x in items]
