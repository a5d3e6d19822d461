"""Writing output files without ever losing data.

Every file movspec writes (``check --json/--junit/--itf``, ``gen``, ``docs``) goes through
``write_text``/``write_bytes``: the bytes go to a temporary file in the target's directory,
are flushed to disk (``fsync``), and the temporary file is renamed over the target
(``os.replace``). A reader sees the old file or the new one, never a half-written one, and
when writing fails (disk full, file too large, a read-only place) the old file is left as it
was and the temporary file is removed.

A target that exists and is not a regular file (``/dev/null``, ``/dev/stdout``, a pipe) is
written in place: it cannot be replaced, and replacing a device node would be wrong.

Any failure is an ``OutputError`` whose text is one line naming the path and the reason
(``cannot write out/r.json: No space left on device``); the commands print it and exit 2.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

__all__ = ["OutputError", "ensure_dir", "preflight", "remove", "write_bytes", "write_text"]


class OutputError(Exception):
    """An output could not be written. ``str()`` is one line: what, where, and why."""

    def __init__(self, path: str | os.PathLike, reason: str, action: str = "write") -> None:
        self.path = str(path)
        self.reason = reason
        self.action = action
        super().__init__(f"cannot {action} {self.path}: {reason}")


def _reason(exc: OSError) -> str:
    text = exc.strerror or str(exc) or type(exc).__name__
    return " ".join(str(text).split())


def _blocking_ancestor(path: Path) -> Path | None:
    """The nearest existing ancestor of ``path`` that is not a directory, if any."""
    for parent in [path, *path.parents]:
        try:
            st = os.stat(parent)
        except OSError:
            continue
        return None if stat.S_ISDIR(st.st_mode) else parent
    return None


def _not_a_dir(blocker: Path, shown) -> str:
    return "it is not a directory" if str(blocker) == str(shown) else f"{blocker} is not a directory"


def ensure_dir(path: str | os.PathLike, *, for_file: str | os.PathLike | None = None) -> Path:
    """Create directory ``path`` (and its parents) unless it exists; ``OutputError`` when it
    cannot be, naming ``for_file`` (the file that needed it) if given."""
    d = Path(path)
    shown = for_file if for_file is not None else d
    if str(d) in ("", "."):
        return d
    try:
        if stat.S_ISDIR(os.stat(d).st_mode):
            return d
    except OSError:
        pass
    blocker = _blocking_ancestor(d)
    if blocker is not None:
        raise OutputError(shown, _not_a_dir(blocker, shown))
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocker = _blocking_ancestor(d)
        why = _not_a_dir(blocker, shown) if blocker is not None else _reason(exc)
        raise OutputError(shown, why) from None
    return d


def preflight(path: str | os.PathLike, *, directory: bool = False) -> None:
    """Raise the ``OutputError`` that writing ``path`` would surely raise, without writing
    anything: the target is a directory (or, for ``directory=True``, a file), or something
    on the way to it is not a directory. Lets a command fail before a long run rather than
    after it; whatever passes here is still checked when the file is written."""
    target = Path(path)
    try:
        st = os.stat(target)
    except OSError:
        st = None
    if st is not None:
        if directory and not stat.S_ISDIR(st.st_mode):
            raise OutputError(target, "it is not a directory")
        if not directory and stat.S_ISDIR(st.st_mode):
            raise OutputError(target, "it is a directory")
        return
    blocker = _blocking_ancestor(target.parent)
    if blocker is not None:
        raise OutputError(target, _not_a_dir(blocker, target))


def _write_in_place(path: Path, data: bytes) -> None:
    try:
        with open(path, "wb") as f:
            f.write(data)
            f.flush()
    except OSError as exc:
        raise OutputError(path, _reason(exc)) from None


def _new_file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Replace the file at ``path`` with ``data`` atomically (see the module docstring);
    creates missing parent directories. Returns the path."""
    target = Path(path)
    try:
        st = os.stat(target)  # follows symbolic links
    except FileNotFoundError:
        st = None
    except OSError as exc:
        if exc.errno == errno.ENOTDIR:
            blocker = _blocking_ancestor(target.parent)
            raise OutputError(target, f"{blocker or target.parent} is not a directory") from None
        raise OutputError(target, _reason(exc)) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(target, "it is a directory")
    if st is not None and not stat.S_ISREG(st.st_mode):
        _write_in_place(target, data)
        return target
    # a symbolic link stays a link: the file it points to is the one replaced
    real = Path(os.path.realpath(target)) if target.is_symlink() else target
    directory = ensure_dir(real.parent, for_file=target)
    mode = stat.S_IMODE(st.st_mode) if st is not None else _new_file_mode()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputError(target, _reason(exc)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, real)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(target, _reason(exc)) from None
        raise
    _sync_dir(directory)
    return target


def write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """``write_bytes`` of ``text`` encoded (UTF-8 by default)."""
    return write_bytes(path, text.encode(encoding))


def remove(path: str | os.PathLike) -> None:
    """Delete a file movspec wrote earlier; ``OutputError`` when it cannot."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(path, _reason(exc), action="remove") from None


def _sync_dir(directory: Path) -> None:
    """Make the rename durable (best effort: not every file system allows it)."""
    try:
        fd = os.open(directory if str(directory) else ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
