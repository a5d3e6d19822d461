"""The package as PyPI and pip see it: metadata, the optional docker SDK, a README that reads
the same on PyPI, and a bootstrap that waits for apt instead of skipping tests."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_metadata_has_authors_keywords_and_valid_classifiers():
    trove = pytest.importorskip("trove_classifiers")
    p = _project()
    assert p["authors"] and all(a.get("name") for a in p["authors"])
    assert p["keywords"]
    unknown = [c for c in p["classifiers"] if c not in trove.classifiers]
    assert not unknown, unknown
    # an SPDX license expression (PEP 639) and a License classifier may not be combined
    assert p["license"] == "GPL-2.0-only" and not any(c.startswith("License ::") for c in p["classifiers"])
    versions = {c.rsplit(" :: ", 1)[1] for c in p["classifiers"] if re.fullmatch(r".*Python :: 3\.\d+", c)}
    assert min(versions, key=lambda v: int(v.split(".")[1])) == p["requires-python"].lstrip(">=")


def test_docker_is_an_optional_extra():
    p = _project()
    assert not any(d.startswith("docker") for d in p["dependencies"])
    assert p["optional-dependencies"]["docker"] == ["docker>=7"]
    assert "movspec[docker]" in p["optional-dependencies"]["test"]  # the backend's unit tests need it
    boot = (ROOT / "bootstrap.sh").read_text(encoding="utf-8")
    install = re.search(r"pip install --quiet -e '\.\[([a-z,]+)\]'", boot)
    assert install and {"test", "docker"} <= set(install.group(1).split(","))


def test_movspec_runs_without_the_docker_sdk_and_says_how_to_get_it():
    code = ("import sys; sys.modules['docker'] = None\n"  # import docker now raises ImportError
            "from click.testing import CliRunner\n"
            "from movspec.cli import cli\n"
            "assert CliRunner().invoke(cli, ['--help']).exit_code == 0\n"
            "from movspec.tlc.docker import DockerTLC\n"
            "ok, why = DockerTLC().available()\n"
            "print(ok, why)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False the Docker backend needs the docker Python package: pip install 'movspec[docker]'"


def test_readme_has_no_links_that_break_on_pypi():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    # a relative Markdown link or image resolves against pypi.org, not the source tree
    relative = [m.group(0) for m in re.finditer(r"!?\[[^\]]*\]\((?!https?://|#)[^)]*\)", text)]
    assert not relative, relative
    assert not re.search(r'<(a|img)\s[^>]*(href|src)="(?!https?://|#)', text)
    # the paths it names instead exist, and the source distribution ships them
    manifest = (ROOT / "MANIFEST.in").read_text(encoding="utf-8")
    shipped = set(re.findall(r"^graft (\S+)", manifest, flags=re.M))
    for path in set(re.findall(r"`((?:docs|spec|proofs|examples)/[^`\s]*)`", text)):
        assert (ROOT / path.rstrip("/")).exists(), path
        assert path.split("/")[0] in shipped, path


def test_bootstrap_waits_for_the_dpkg_lock():
    boot = (ROOT / "bootstrap.sh").read_text(encoding="utf-8")
    assert re.search(r"apt_opts=\(-o DPkg::Lock::Timeout=\d+", boot)
    lines = [line for line in boot.splitlines() if not line.lstrip().startswith("#")
             and re.search(r"(\$apt|apt-get) .*\binstall\b", line)]
    assert len(lines) == 2, lines  # chromium, and the opt-in docker.io
    for line in lines:
        # the update waits for the lists' lock (apt_update), the install for dpkg's
        assert re.search(r"\(apt_update (\$apt|apt-get) && ", line), line
        assert line.count('"${apt_opts[@]}"') == 1, line


def test_bootstrap_update_retries_while_another_apt_holds_the_lists_lock(tmp_path):
    # apt_update, run with a stand-in apt-get that reports the lock twice, then succeeds; and
    # one that fails for another reason, which is not retried
    import subprocess
    boot = (ROOT / "bootstrap.sh").read_text(encoding="utf-8")
    func = re.search(r"^apt_update\(\) \{.*?^\}$", boot, re.S | re.M).group(0)
    opts = re.search(r"^apt_opts=.*$", boot, re.M).group(0)
    fake = tmp_path / "fake-apt-get"
    fake.write_text(f"""#!/bin/bash
n=$(cat {tmp_path}/calls 2>/dev/null || echo 0); echo $((n + 1)) > {tmp_path}/calls
case "$MODE" in
  lock) [ "$n" -ge 2 ] && exit 0; echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 1 (apt-get)" >&2; exit 100 ;;
  net) echo "E: Failed to fetch http://deb.debian.org/" >&2; exit 100 ;;
esac
""")
    fake.chmod(0o755)
    script = f"{opts}\n{func}\napt_update {fake}"
    env = {"PATH": "/usr/bin:/bin", "APT_RETRY_SECONDS": "0"}
    ok = subprocess.run(["bash", "-c", script], env={**env, "MODE": "lock"}, capture_output=True, text=True)
    assert ok.returncode == 0 and (tmp_path / "calls").read_text().strip() == "3", ok.stderr
    (tmp_path / "calls").unlink()
    bad = subprocess.run(["bash", "-c", script], env={**env, "MODE": "net"}, capture_output=True, text=True)
    assert bad.returncode == 1 and "Failed to fetch" in bad.stderr
    assert (tmp_path / "calls").read_text().strip() == "1"


def test_project_urls_point_only_at_the_packages_own_pages():
    # no public repository or site exists yet: the URLs are the package's PyPI pages (the README
    # and the sdist with docs/), not a guessed domain; the README states no other home
    urls = _project()["urls"]
    assert {"Homepage", "Documentation"} <= set(urls)
    for label, url in urls.items():
        assert re.fullmatch(r"https://pypi\.org/project/movspec/(#[a-z]+)?", url), (label, url)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert not re.search(r"https?://(?!pypi\.org/project/movspec/)[^\s)]*movspec", readme)
