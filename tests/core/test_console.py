"""``relais try`` as a newcomer or a script uses it: the line contract and the output format."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def relais_try(script: str, db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELAIS_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "try", "--database", f"sqlite:///{db}", *args],
        input=script, capture_output=True, text=True, env=env, cwd=db.parent, timeout=180,
    )


HEADER = re.compile(r"^bot(?: \((?:edited|deleted|notice)\))? -> [\w.\-]+:", re.M)


def blocks(output: str) -> list[str]:
    """Split the output at each block header (texts may contain blank lines)."""
    starts = [m.start() for m in HEADER.finditer(output)] + [len(output)]
    return [output[a:b].strip() for a, b in zip(starts, starts[1:], strict=False)]


def test_script_drives_users_buttons_and_languages(tmp_path):
    script = "\n".join([
        "/language",           # the first (default) user "me" is a registered coordinator
        "!2",                  # English
        "/help",
        "@visitor lang=en",    # a second user starts unregistered
        "hello",
        "@me",
        "/language",
        "!9",                  # there is no button 9: said on stderr, nothing sent
        "!1",                  # back to French
        "/aide",
    ]) + "\n"
    result = relais_try(script, tmp_path / "try.db", "--fresh")
    assert result.returncode == 0, result.stderr[-2000:]
    out = blocks(result.stdout)
    assert out[0] == "bot -> me:\nChoisissez votre langue\u00a0:\n[1] Français  [2] English"
    assert out[1] == "bot (edited) -> me:\nLanguage set: English."
    assert out[2].startswith("bot -> me:\nRelais connects the partner network")
    assert "/invite" in out[2]  # the newcomer is a coordinator
    assert out[3].startswith("bot -> visitor:\nRelais est réservé")
    assert "Relais is reserved for registered workers" in out[3]
    assert out[4] == "bot -> me:\nChoose your language:\n[1] Français  [2] English"
    assert out[5] == "bot (edited) -> me:\nLangue choisie\u00a0: français."
    assert out[6] == (
        "bot -> me:\nJe ne connais pas cette commande. Envoyez /help pour voir ce que je peux faire."
    )
    assert "no button 9" in result.stderr


def test_same_user_ids_across_runs_and_fresh(tmp_path):
    db = tmp_path / "again.db"
    first = relais_try("@alex\n/language\n!2\n", db, "--fresh")
    assert first.returncode == 0, first.stderr[-2000:]
    # Second run on the same database: alex is still the same registered user, in English.
    second = relais_try("@alex\n/oncall\n", db)
    assert "You are now on call" in second.stdout
    # --fresh starts over: alex registers again as the first user, in French by default.
    third = relais_try("@alex\n/oncall\n", db, "--fresh")
    assert "Vous êtes maintenant de garde" in third.stdout
