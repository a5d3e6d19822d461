"""The docs, explain and diff commands on the small DSL model."""

import re

import pytest
from click.testing import CliRunner

from movspec.cli import cli

from . import small

SPEC = small.SPEC


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(small.ROOT)


def run(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, env={"COLUMNS": "150"})
    return result


def test_docs_writes_the_site_deterministically(tmp_path):
    out1, out2 = tmp_path / "a", tmp_path / "b"
    r1 = run("docs", SPEC, "--out", str(out1))
    assert r1.exit_code == 0, r1.output
    assert "wrote 4 files" in r1.output
    run("docs", SPEC, "--out", str(out2))
    files = sorted(p.relative_to(out1).as_posix() for p in out1.rglob("*") if p.is_file())
    assert files == ["README.md", "report.html", "variants/locked.md", "variants/unlocked.md"]
    for f in files:
        assert (out1 / f).read_bytes() == (out2 / f).read_bytes(), f
    page = (out1 / "variants" / "unlocked.md").read_text()
    assert "## Generated PlusCal" in page and "```mermaid" in page
    # the Markdown without the generated module is the golden site of the small model
    golden = (small.ROOT / "tests/fixtures/report/golden/small_site/variants/unlocked.md").read_text()
    assert page.split("\n## Generated PlusCal")[0].rstrip("\n") + "\n" == golden
    html = (out1 / "report.html").read_text()
    assert 'id="matrix"' in html and "Generated PlusCal" in html


def test_docs_only_markdown_without_check(tmp_path):
    r = run("docs", SPEC, "--out", str(tmp_path), "--no-html", "--no-check")
    assert r.exit_code == 0, r.output
    assert not (tmp_path / "report.html").exists()
    index = (tmp_path / "README.md").read_text()
    assert "## Verdicts" not in index and "[`unlocked`](variants/unlocked.md)" in index
    assert "Not checked." in (tmp_path / "variants" / "unlocked.md").read_text()


def test_explain_tells_the_story():
    r = run("explain", "unlocked", "NoUseAfterUnload", SPEC)
    assert r.exit_code == 0, r.output
    text = re.sub(r"\s+", " ", r.output)
    assert "NoUseAfterUnload is violated in variant unlocked" in text
    assert "owner runs release in balloon_page_delete() (mm/balloon_compaction.c)" in text
    assert "and fails: use-after-unload: driver.isolate_page called while module driver is unloaded" in text
    assert "unlocked · NoUseAfterUnload as lanes" in text


def test_explain_a_property_that_holds():
    r = run("explain", "locked", "NoUseAfterUnload", SPEC)
    assert r.exit_code == 0
    assert "holds in `locked`: there is no counterexample to explain" in r.output


def test_explain_unknown_names_get_hints():
    r = run("explain", "unlockd", "NoUseAfterUnload", SPEC)
    assert r.exit_code == 2
    assert "no variant `unlockd`" in r.output and "did you mean `unlocked`?" in r.output
    r = run("explain", "unlocked", "NoUseAfterUnlod", SPEC)
    assert r.exit_code == 2 and "did you mean `NoUseAfterUnload`?" in r.output


def test_diff_shows_deltas_verdicts_and_replay():
    r = run("diff", "unlocked", "locked", SPEC)
    assert r.exit_code == 0, r.output
    text = re.sub(r"\s+", " ", r.output)
    assert "changed step compactor.lock" in text
    assert "replace compactor.lock { skip }" in text
    assert "NoUseAfterUnload │ violated │ holds │ differs" in text
    assert ("unlocked's counterexample to NoUseAfterUnload (6 steps) on locked: locked blocks the trace at "
            "step 2: `lock` of C1 leads elsewhere in locked: locked is true in locked, false in unlocked") in text


def test_model_errors_are_diagnostics(tmp_path):
    bad = tmp_path / "bad.mspec"
    bad.write_text('model m\nvar x: bool = true\nactor a { step s { y = 1 } }\nvariant v\n')
    r = run("explain", "v", "TypeOK", str(bad))
    assert r.exit_code == 1
    assert f"{bad}:3:" in r.output and "Traceback" not in r.output


def test_diff_lanes_show_the_trace_up_to_where_b_departs():
    r = run("diff", "unlocked", "locked", SPEC, "--lanes")
    assert r.exit_code == 0, r.output
    text = re.sub(r"\s+", " ", r.output)
    assert "unlocked · NoUseAfterUnload: the steps locked can follow, then step 2, where it departs" in text
    assert "lock" in text and "balloon_page_delete()" not in text  # step 4 is past the departure


def test_html_shows_the_delta_side_by_side(tmp_path):
    r = run("docs", SPEC, "--out", str(tmp_path), "--no-markdown")
    assert r.exit_code == 0, r.output
    html = (tmp_path / "report.html").read_text()
    section = html.split('<details class="side-by-side">', 1)[1].split("</details>", 1)[0]
    assert "<code>compactor.lock</code>" in section
    assert "step lock @ &#34;mm/migrate.c:isolate_movable_page&#34; {\n    await !locked" in section
    assert "replace compactor.lock { skip }" in section
