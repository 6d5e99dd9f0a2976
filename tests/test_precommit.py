"""Validation on every commit: the pre-commit hooks (run offline through `pre-commit try-repo` in
throwaway git repositories) and the example CI workflow's commands."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CSV = ROOT / "tests" / "data" / "events.csv"
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
WORKFLOW = ROOT / "docs" / "examples" / "validate-events.yml"
BIN = Path(sys.executable).parent  # the venv's bin: pre-commit and tracker
GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]


def test_the_manifest_is_valid_and_both_hooks_run_tracker_validate():
    result = subprocess.run([BIN / "pre-commit", "validate-manifest", MANIFEST], capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    hooks = {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text())}
    assert set(hooks) == {"tracker-validate", "tracker-validate-system"}
    assert {(h["entry"], h["files"], h["pass_filenames"]) for h in hooks.values()} == {
        ("tracker validate", r"^events\.csv$", False)
    }
    assert (hooks["tracker-validate"]["language"], hooks["tracker-validate-system"]["language"]) == ("python", "system")


@pytest.fixture
def repos(tmp_path: Path) -> tuple[Path, Path, dict]:
    """A git repository holding only the hooks manifest, one holding an events file, and the
    environment to run pre-commit in (this venv's tracker on PATH, a private pre-commit home)."""
    hooks, data = tmp_path / "hooks", tmp_path / "data"
    for repo in (hooks, data):
        repo.mkdir()
        subprocess.run([*GIT, "init", "-q", repo], check=True)
    shutil.copyfile(MANIFEST, hooks / ".pre-commit-hooks.yaml")
    subprocess.run([*GIT, "-C", hooks, "add", "."], check=True)
    subprocess.run([*GIT, "-C", hooks, "commit", "-q", "-m", "hooks"], check=True)
    shutil.copyfile(SHIPPED_CSV, data / "events.csv")
    (data / "notes.txt").write_text("not events\n")
    subprocess.run([*GIT, "-C", data, "add", "."], check=True)
    env = {k: v for k, v in os.environ.items() if k != "TRACKER_EVENTS"}
    env.update(PATH=f"{BIN}{os.pathsep}{env['PATH']}", PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    return hooks, data, env


def try_repo(hooks: Path, data: Path, env: dict, *files: str) -> subprocess.CompletedProcess:
    cmd = [BIN / "pre-commit", "try-repo", hooks, "tracker-validate-system", "--files", *files]
    return subprocess.run(cmd, cwd=data, env=env, capture_output=True, text=True, timeout=300)


def test_the_hook_passes_a_valid_events_file_and_stops_a_broken_one(repos):
    hooks, data, env = repos
    passed = try_repo(hooks, data, env, "events.csv")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
    text = (data / "events.csv").read_text(encoding="utf-8")
    (data / "events.csv").write_text(text.replace("\n2006-10-14-", "\n2006-10-14-Bad ", 1), encoding="utf-8")
    subprocess.run([*GIT, "-C", data, "add", "events.csv"], check=True)
    failed = try_repo(hooks, data, env, "events.csv")
    assert failed.returncode == 1
    assert "Failed" in failed.stdout
    assert "events.csv:2: id: '2006-10-14-Bad unsc-res-1718-adopted' is not valid" in failed.stdout
    assert "Error: 1 problem in events.csv; nothing was written" in failed.stdout


def test_the_hook_is_skipped_when_the_events_file_is_not_committed(repos):
    hooks, data, env = repos
    (data / "events.csv").write_text("broken", encoding="utf-8")  # (not staged: not part of the commit)
    result = try_repo(hooks, data, env, "notes.txt")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(no files to check)Skipped" in result.stdout


# ---------------------------------------------------------------- the example CI workflow


def workflow_steps() -> dict[str, dict]:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow.get("on", workflow.get(True))  # (YAML 1.1 reads a bare `on` as true)
    assert triggers == {"pull_request": {"paths": ["events.csv"]}}
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write"}
    (job,) = workflow["jobs"].values()
    return {step.get("name", step.get("uses")): step for step in job["steps"]}


def test_the_workflow_validates_and_posts_the_diff_summary():
    steps = workflow_steps()
    assert steps["actions/checkout@v4"]["with"] == {"fetch-depth": 0}
    assert steps["Validate the events file"]["run"] == 'tracker validate "$TRACKER_EVENTS"'
    assert 'tracker diff "origin/$BASE_REF" --format md > events-diff.md' in steps["Summarise the change"]["run"]
    assert steps["Comment on the pull request"]["run"] == 'gh pr comment "$PR_NUMBER" --body-file events-diff.md'


def test_the_workflow_validation_step_fails_on_a_broken_file(tmp_path):
    command = workflow_steps()["Validate the events file"]["run"]
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", TRACKER_EVENTS=str(tmp_path / "events.csv"))
    shutil.copyfile(SHIPPED_CSV, tmp_path / "events.csv")
    ok = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True)
    assert (ok.returncode, ok.stdout) == (0, f"{tmp_path / 'events.csv'}: 46 events, valid (latest 2024-12-16)\n")
    text = (tmp_path / "events.csv").read_text(encoding="utf-8")
    (tmp_path / "events.csv").write_text(text.replace(",2013,", ",2013-13,", 1), encoding="utf-8")
    broken = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True)
    assert broken.returncode == 1
    assert broken.stderr.startswith(f"{tmp_path / 'events.csv'}:")
