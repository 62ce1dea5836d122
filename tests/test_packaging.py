"""The built wheel ships prompts/ and schemas/ and works from a clean virtualenv."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from tests.helpers import ROOT


def test_wheel_ships_prompts_and_schemas_and_runs(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("summarise-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for expected in ("summarise/prompts/system.j2", "summarise/prompts/user.j2", "summarise/prompts/reask.j2",
                     "summarise/schemas/article_summary.v1.schema.json",
                     "summarise/schemas/summary_record.v1.schema.json",
                     "summarise/outputs/briefing/templates/briefing.html.j2",
                     "summarise/outputs/briefing/templates/briefing.md.j2",
                     "summarise/outputs/templates/review.html.j2", "summarise/outputs/templates/review-index.html.j2"):
        assert expected in names
    # A clean venv that sees this interpreter's dependencies but not the source tree or its editable install.
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False, system_site_packages=True).create(env_dir)
    py = env_dir / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    code = ("import summarise, summarise.strategies.templates as p, summarise.contract.export as e, pathlib;"
            "print(pathlib.Path(summarise.__file__).parent);"
            "p.render('system'); e.schema_json(); print(p.prompt_version())")
    out = subprocess.run([str(py), "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    assert out.splitlines()[0].startswith(site)
