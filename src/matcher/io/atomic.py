"""Writing files and folders all or nothing: the one atomic writer of the tool.

Every output (a plan's files, a report, a scenarios folder, a changed
instance) is first written under a temporary name beside its target, in the
same folder, and renamed into place only when complete. A crash, a full disk
or Ctrl-C leaves the previous output (or nothing), never half of a new one;
temporary names start with ``.`` and are removed on failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ["write_atomically", "write_all_atomically"]

Writer = Callable[[Path], None]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_all_atomically(targets: Sequence[tuple[Path, Writer]], *, folder: bool = False) -> None:
    """Write each ``(path, write)`` to a temporary name, then rename them all, in order.

    ``write(temp)`` writes the content to ``temp`` (a file, or with ``folder``
    an empty folder to fill). Nothing is renamed until every writer has
    returned, so either all targets are replaced or none is. The files get the
    permissions of a file created normally (``mkstemp`` makes them private; the
    outputs are for sharing). A folder replaces an earlier one at its path
    whole: the old one is moved aside first and removed after the swap.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, write in targets:
            path.parent.mkdir(parents=True, exist_ok=True)
            prefix = f".{path.name}."
            if folder:
                temp = Path(tempfile.mkdtemp(prefix=prefix, suffix=".tmp", dir=path.parent))
                os.chmod(temp, 0o777 & ~_umask())
            else:
                handle, temp_name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
                os.close(handle)
                temp = Path(temp_name)
                os.chmod(temp, 0o666 & ~_umask())
            staged.append((temp, path))
            write(temp)
        for temp, path in staged:
            if folder and path.exists():
                old = path.with_name(f".{path.name}.old-{uuid.uuid4().hex[:8]}")
                os.replace(path, old)
                os.replace(temp, path)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(temp, path)
    finally:
        for temp, _ in staged:
            if folder:
                shutil.rmtree(temp, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    temp.unlink()


def write_atomically(path: Path, write: Writer, *, folder: bool = False) -> None:
    """Write one file (or, with ``folder``, one folder) at ``path`` all or nothing."""
    write_all_atomically([(path, write)], folder=folder)
