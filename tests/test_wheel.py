"""The shipped rulesets load from an installed wheel, not only from a checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_into_fresh_venv_and_lists_shipped_rulesets(tmp_path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(dist)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = dist.glob("mirules-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["MIRULES_LOAD_PLUGINS"] = ""
    # Run from an empty directory, so nothing from the checkout can be found.
    proc = subprocess.run(
        [str(env_dir / "bin" / "mirules"), "rulesets"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    name, version, _count, source = proc.stdout.splitlines()[0].split("\t")
    assert (name, version) == ("core-mi", "1.1.0")
    assert "site-packages/mirules/_shipped_rulesets/core-mi.yaml" in source
    assert str(ROOT) not in source
    shipped = subprocess.run(
        [str(env_dir / "bin" / "mirules"), "rulesets", "--shipped"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert shipped.returncode == 0, shipped.stderr
    names = [line.split("\t")[0] for line in shipped.stdout.splitlines()]
    assert names == ["core-mi", "physical-activity", "smoking-cessation"]
    assert str(ROOT) not in shipped.stdout
