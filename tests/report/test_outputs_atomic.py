"""Outputs never lose data: --json, --junit, --itf, gen and docs replace files atomically, and
a path that cannot be written is a one-line error naming the path and the reason, exit 2.

The tests run as root, which ignores permission bits, so the unwritable places are ones no
permission lets anyone write: ``/dev/full`` (every write fails with ENOSPC), a path under
``/proc/<no such process>``, a regular file where a directory is needed, and a file-size
limit (``RLIMIT_FSIZE``) that makes the write itself fail."""

from __future__ import annotations

import errno
import os
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from movspec import outfile
from movspec.cli import cli
from movspec.outfile import OutputError, write_text

from . import small

SPEC = small.SPEC
MOVSPEC = [sys.executable, "-c", "from movspec.cli import main; main()"]
PROC = "/proc/no-such-process/out"  # /proc holds no directory of that name, and none can be made


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(small.ROOT)


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env={"COLUMNS": "150"})


def one_line_error(result, path: str) -> str:
    """The error line of a failed run: exit 2, one line naming ``path``, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.output
    lines = [l for l in result.stderr.splitlines() if l.startswith("error:")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: cannot write {path}: "), lines[0]
    return lines[0][len(f"error: cannot write {path}: "):]


# ----------------------------------------------------------------------------- the helper

def leftovers(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir() if p.name.endswith(".tmp"))


def test_write_creates_replaces_and_leaves_no_temporary(tmp_path):
    p = tmp_path / "sub" / "dir" / "out.json"
    write_text(p, "one\n")
    assert p.read_text() == "one\n"
    write_text(p, "two\n")
    assert p.read_text() == "two\n"
    assert leftovers(p.parent) == []


def test_replacing_keeps_the_mode_and_a_symbolic_link(tmp_path):
    real = tmp_path / "real.xml"
    real.write_text("old")
    os.chmod(real, 0o640)
    link = tmp_path / "link.xml"
    link.symlink_to(real)
    write_text(link, "new")
    assert link.is_symlink() and real.read_text() == "new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_a_device_is_written_in_place_not_replaced(tmp_path):
    write_text("/dev/null", "anything")  # no error, and /dev/null is still a device
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    with pytest.raises(OutputError) as e:
        write_text("/dev/full", "x")
    assert str(e.value) == "cannot write /dev/full: No space left on device"
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    p = tmp_path / "out.json"
    p.write_text("precious\n")

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(outfile.os, "fsync", full)
    with pytest.raises(OutputError) as e:
        write_text(p, "replacement\n" * 1000)
    assert str(e.value) == f"cannot write {p}: No space left on device"
    assert p.read_text() == "precious\n"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("where, reason", [
    ("/dev/full", "No space left on device"),
    (f"{PROC}/r.json", "No such file or directory"),
])
def test_unwritable_places(where, reason):
    with pytest.raises(OutputError) as e:
        write_text(where, "{}")
    assert str(e.value) == f"cannot write {where}: {reason}"


def test_a_file_where_a_directory_is_needed(tmp_path):
    (tmp_path / "plain").write_text("not a directory")
    target = tmp_path / "plain" / "deeper" / "r.json"
    with pytest.raises(OutputError) as e:
        write_text(target, "{}")
    assert str(e.value) == f"cannot write {target}: {tmp_path / 'plain'} is not a directory"
    assert (tmp_path / "plain").read_text() == "not a directory"
    with pytest.raises(OutputError) as e:
        write_text(tmp_path, "{}")
    assert str(e.value) == f"cannot write {tmp_path}: it is a directory"


# ----------------------------------------------------------------------------- movspec check

@pytest.mark.parametrize("option", ["--json", "--junit"])
def test_check_output_to_dev_full(option):
    r = run("check", SPEC, "-q", option, "/dev/full")
    assert one_line_error(r, "/dev/full") == "No space left on device"


@pytest.mark.parametrize("option, name", [("--json", "r.json"), ("--junit", "r.xml"), ("--itf", "traces")])
def test_check_output_under_proc(option, name):
    r = run("check", SPEC, "-q", option, f"{PROC}/{name}")
    assert one_line_error(r, f"{PROC}/{name}") == "No such file or directory"


@pytest.mark.parametrize("option, name", [("--json", "r.json"), ("--junit", "r.xml"), ("--itf", "traces")])
def test_check_output_below_a_regular_file(tmp_path, option, name):
    blocker = tmp_path / "file"
    blocker.write_text("keep")
    r = run("check", SPEC, "-q", option, str(blocker / name))
    assert one_line_error(r, str(blocker / name)) == f"{blocker} is not a directory"
    assert blocker.read_text() == "keep"


def test_check_itf_onto_a_device():
    r = run("check", SPEC, "-q", "--itf", "/dev/full")
    assert one_line_error(r, "/dev/full") == "it is not a directory"


def test_check_json_to_a_full_standard_output():
    """``--json -`` into a full device: the same one-line error, not Python's shutdown noise."""
    with open("/dev/full", "w") as full:
        p = subprocess.run([*MOVSPEC, "check", SPEC, "-q", "--json", "-"],
                           stdout=full, stderr=subprocess.PIPE, text=True, cwd=small.ROOT)
    assert p.returncode == 2, p.stderr
    assert "error: cannot write standard output: No space left on device" in p.stderr
    assert "Traceback" not in p.stderr and "Exception ignored" not in p.stderr


def _limit_file_size():  # runs in the child: writes past 1 KiB fail with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))


@pytest.mark.parametrize("option, name", [("--json", "r.json"), ("--junit", "r.xml")])
def test_check_leaves_the_old_output_intact_when_writing_fails(tmp_path, option, name):
    """A real failed write (the file-size limit; Python ignores SIGXFSZ, so write() fails):
    the file from an earlier run is untouched and no temporary file is left."""
    old = tmp_path / name
    old.write_text("the results of an earlier run\n")
    p = subprocess.run([*MOVSPEC, "check", SPEC, "-q", option, str(old)],
                       capture_output=True, text=True, cwd=small.ROOT, preexec_fn=_limit_file_size)
    assert p.returncode == 2, p.stderr
    assert f"error: cannot write {old}: File too large" in p.stderr
    assert "Traceback" not in p.stderr
    assert old.read_text() == "the results of an earlier run\n"
    assert leftovers(tmp_path) == []


def test_check_writes_outputs_when_the_path_is_fine(tmp_path):
    r = run("check", SPEC, "-q", "--json", str(tmp_path / "a/r.json"), "--junit", str(tmp_path / "b/r.xml"),
            "--itf", str(tmp_path / "c"))
    assert r.exit_code == 0, r.output
    assert (tmp_path / "a/r.json").read_text().startswith("{")
    assert (tmp_path / "b/r.xml").read_text().startswith("<?xml")
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["unlocked.NoUseAfterUnload.itf.json"]
    assert leftovers(tmp_path / "a") == leftovers(tmp_path / "b") == leftovers(tmp_path / "c") == []


# ----------------------------------------------------------------------------- gen and docs

@pytest.mark.parametrize("command", [["gen"], ["docs", "--no-check"]])
def test_gen_and_docs_into_unwritable_places(tmp_path, command):
    blocker = tmp_path / "file"
    blocker.write_text("keep")
    out = "--out"
    r = run(*command, SPEC, out, str(blocker / "out"))
    assert one_line_error(r, str(blocker / "out")) == f"{blocker} is not a directory"
    assert blocker.read_text() == "keep"
    r = run(*command, SPEC, out, PROC)
    assert one_line_error(r, PROC) == "No such file or directory"
    r = run(*command, SPEC, out, "/dev/full")
    assert one_line_error(r, "/dev/full") == "it is not a directory"


def test_gen_with_a_directory_where_a_module_goes(tmp_path):
    """A directory named like one of the files: gen --check calls it stale, gen says it
    cannot replace it; nothing is half written."""
    (tmp_path / "unlocked.tla").mkdir()
    r = run("gen", SPEC, "--out", str(tmp_path), "--check")
    assert r.exit_code == 1 and f"{tmp_path / 'unlocked.tla'}: differs" in r.stderr
    r = run("gen", SPEC, "--out", str(tmp_path))
    assert one_line_error(r, str(tmp_path / "unlocked.tla")) == "it is a directory"
    assert leftovers(tmp_path) == []


def test_gen_leaves_the_old_module_intact_when_writing_fails(tmp_path):
    r = run("gen", SPEC, "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    module = tmp_path / "unlocked.tla"
    module.write_text(module.read_text().replace("Generated by movspec", "Generated by movspec (old)"))
    before = module.read_text()
    p = subprocess.run([*MOVSPEC, "gen", SPEC, "--out", str(tmp_path)],
                       capture_output=True, text=True, cwd=small.ROOT, preexec_fn=_limit_file_size)
    assert p.returncode == 2, p.stderr
    assert "File too large" in p.stderr and "Traceback" not in p.stderr
    assert module.read_text() == before
    assert leftovers(tmp_path) == []


def test_docs_leaves_the_old_report_intact_when_writing_fails(tmp_path):
    report = tmp_path / "report.html"
    report.write_text("<p>an earlier report</p>\n")
    p = subprocess.run([*MOVSPEC, "docs", SPEC, "--no-check", "--no-markdown",
                        "--out", str(tmp_path)],
                       capture_output=True, text=True, cwd=small.ROOT, preexec_fn=_limit_file_size)
    assert p.returncode == 2, p.stderr
    assert f"error: cannot write {report}: File too large" in p.stderr and "Traceback" not in p.stderr
    assert report.read_text() == "<p>an earlier report</p>\n"
    assert leftovers(tmp_path) == []


def test_check_output_into_a_directory_nobody_may_write():
    """A read-only place (root ignores permission bits, so: sysfs, where no one may create a
    file); skipped where /sys is absent or lets files be created."""
    target = "/sys/movspec-out.json"
    if not os.path.isdir("/sys") or os.access("/sys", os.W_OK) and _can_create(target):
        pytest.skip("no read-only directory here")
    r = run("check", SPEC, "-q", "--json", target)
    assert one_line_error(r, target) in ("Permission denied", "Read-only file system", "Operation not permitted")
    assert not os.path.exists(target)
    assert [n for n in os.listdir("/sys") if n.startswith(".movspec-out.json.")] == []


def _can_create(path: str) -> bool:
    try:
        with open(path, "x"):
            pass
    except OSError:
        return False
    os.unlink(path)
    return True


@pytest.mark.parametrize("option", ["--json", "--junit", "--itf"])
def test_check_fails_before_the_search_when_a_path_surely_cannot_be_written(tmp_path, option):
    """A file in the way (or, for --itf, a file where the directory goes) is found before
    the model is checked: no verdicts are printed, nothing is written."""
    blocker = tmp_path / "file"
    blocker.write_text("keep")
    target = str(blocker) if option == "--itf" else str(blocker / "out")
    r = run("check", SPEC, "-q", option, target)
    assert one_line_error(r, target).endswith("is not a directory")
    assert "verdicts" not in r.output and "distinct" not in r.output
    assert blocker.read_text() == "keep"
