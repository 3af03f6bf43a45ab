"""docs/deploy.md names only what exists: every ``relais ...`` command in it parses with the real
command line (a renamed command or option fails here), every ``RELAIS_`` variable is a setting
(and every setting is documented), every metric is one that /metrics serves."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "deploy.md"
FENCE = re.compile(r"^[ \t]*```[^\n]*\n(.*?)^[ \t]*```", re.S | re.M)
INLINE = re.compile(r"(?<!`)`(relais [^`]+)`(?!`)")
SUDO_OPTIONS_WITH_VALUE = {"-u", "-g", "--user", "--group"}


def text() -> str:
    return DOC.read_text(encoding="utf-8")


def command_of(part: str) -> list[str] | None:
    """The arguments after ``relais`` when ``part`` (one shell command) runs relais."""
    try:
        words = shlex.split(part, comments=True)
    except ValueError:
        return None
    while words:
        word = words[0]
        if word.startswith(("ExecStart=", "ExecStartPre=", "ExecStop=")):
            words[0] = word.split("=", 1)[1]  # a systemd unit's command
            break
        if word == "$" or re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=\S*", word):
            words.pop(0)  # a prompt, or an environment assignment
        elif word == "sudo":
            words.pop(0)
            while words and words[0].startswith("-"):
                option = words.pop(0)
                if (option in SUDO_OPTIONS_WITH_VALUE or re.fullmatch(r"-[a-zA-Z]*[ug]", option)
                        ) and words:
                    words.pop(0)
        else:
            break
    if words and (words[0] == "relais" or words[0].endswith("/bin/relais")):
        return words[1:]
    return None


def doc_commands() -> list[list[str]]:
    """Every relais command line of the doc's code blocks."""
    lines = [line for block in FENCE.findall(text()) for line in block.splitlines()]
    return commands_in(lines)


def inline_commands() -> list[list[str]]:
    """The relais commands named in the prose (inline code starting ``relais ``)."""
    return commands_in(INLINE.findall(FENCE.sub("", text())))


def commands_in(lines: list[str]) -> list[list[str]]:
    commands = []
    for line in lines:
        for part in re.split(r"&&|\|\||;|\|", line):
            args = command_of(part)
            if args is not None:
                commands.append(args)
    return [list(args) for args in dict.fromkeys(map(tuple, commands))]  # each once


def test_the_doc_has_the_commands_an_operator_needs() -> None:
    found = {" ".join(args) for args in doc_commands()}
    for needed in ("run --webhook", "db upgrade", "webhook set", "webhook secret", "doctor",
                   "keys new", "keys rotate", "worker --no-migrate"):
        assert needed in found, needed
    assert any(c.startswith("db backup ") for c in found)
    assert any(c.startswith("db restore --force ") for c in found)


@pytest.mark.parametrize("args", doc_commands(), ids=" ".join)
def test_every_relais_command_of_the_doc_parses(args: list[str]) -> None:
    parser = build_parser()
    try:
        parsed = parser.parse_args(args)
    except SystemExit as exc:
        pytest.fail(f"`relais {' '.join(args)}` does not parse (exit {exc.code})")
    assert getattr(parsed, "func", None) is not None, f"`relais {' '.join(args)}` runs nothing"


def subcommand_problem(args: list[str]) -> str | None:
    """Why the subcommand words of ``args`` are not a command (None when they are)."""
    parser = build_parser()
    for word in [*args, None]:
        subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subparsers:
            return None
        if word is None or word not in subparsers[0].choices:
            return f"no command {word!r} after {parser.prog!r}"
        parser = subparsers[0].choices[word]
    return None


@pytest.mark.parametrize("args", inline_commands(), ids=" ".join)
def test_every_relais_command_named_in_the_prose_exists(args: list[str]) -> None:
    """``relais db backup`` in a sentence: the command exists (its arguments are elsewhere)."""
    assert subcommand_problem(args) is None, subcommand_problem(args)


def test_a_renamed_command_would_fail() -> None:
    """The check above is not vacuous: what the parser does not know is refused."""
    assert command_of("ExecStart=/opt/relais/.venv/bin/relais run --webhook") == ["run", "--webhook"]
    assert command_of("sudo -iu relais") is None
    with pytest.raises(SystemExit):
        build_parser().parse_args(["db", "dump", "x.db"])
    assert subcommand_problem(["db", "dump"]) and subcommand_problem(["db"])
    assert subcommand_problem(["db", "backup"]) is None


def test_every_variable_named_is_a_setting_and_every_setting_is_named() -> None:
    named = set(re.findall(r"\bRELAIS_([A-Z0-9_]+)", text()))
    fields = {name.upper() for name in Settings.model_fields}
    assert named - fields == set(), "the doc names variables Relais does not read"
    assert fields - named == set(), "settings missing from docs/deploy.md"


def test_every_metric_named_is_served() -> None:
    source = (ROOT / "handlers" / "ops" / "metrics.py").read_text(encoding="utf-8")
    defined = set(re.findall(r'"(relais_[a-z_]+)"', source))
    assert defined, "no metric found in handlers/ops/metrics.py"
    section = text().split("## 10. What to watch", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(relais_[a-z_]+)", section))
    assert len(named) >= 9
    for name in named:
        base = re.sub(r"_(total|bucket|sum|count|created)$", "", name)
        assert base in defined or name in defined, name

