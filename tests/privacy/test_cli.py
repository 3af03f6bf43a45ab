"""The ``relais screen`` contract: JSON lines in order, one per input line, flushed per line."""

from __future__ import annotations

import io
import json
import subprocess
import sys

from bot.cli import build_parser, main
from tests.privacy.helpers import REPO

EMPTY = {"identifying": False, "kinds": [], "spans": []}


class RecordingStdout(io.StringIO):
    """A stdout that remembers how many complete lines had been written at each flush."""

    def __init__(self) -> None:
        super().__init__()
        self.lines_at_flush: list[int] = []

    def flush(self) -> None:
        self.lines_at_flush.append(self.getvalue().count("\n"))
        super().flush()


def run_cli(monkeypatch, stdin_text: str) -> tuple[int, list[dict], RecordingStdout]:
    out = RecordingStdout()
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin_text))
    monkeypatch.setattr(sys, "stdout", out)
    code = main(["screen"])
    return code, [json.loads(line) for line in out.getvalue().splitlines()], out


def test_plain_json_blank_and_malformed_lines(monkeypatch):
    lines = [
        "Son cell c'est le 514-555-0142.",
        "",
        json.dumps({"text": "Mme Bouchard a appelé", "lang": "fr"}),
        "{not json but Kayla s'appelle Kayla",
        json.dumps({"txt": "Mme Bouchard"}),
        "   ",
        "Case K7-4QX, 15 ans",
        json.dumps({"text": "née le 3 mai 2010"}, ensure_ascii=False),
    ]
    code, results, out = run_cli(monkeypatch, "\n".join(lines) + "\n")
    assert code == 0
    assert len(results) == len(lines)
    assert results[0] == {"identifying": True, "kinds": ["PHONE"], "spans": [[18, 30, "PHONE"]]}
    assert results[1] == EMPTY
    assert results[2] == {"identifying": True, "kinds": ["PERSON"], "spans": [[4, 12, "PERSON"]]}
    # invalid JSON is screened as plain text: offsets count from the line's first character
    line3 = lines[3]
    assert results[3]["kinds"] == ["PERSON"]
    assert [line3[s:e] for s, e, _ in results[3]["spans"]] == ["Kayla", "Kayla"]
    # a JSON object without "text" is screened as plain text too (offsets in the raw line)
    assert [lines[4][s:e] for s, e, _ in results[4]["spans"]] == ["Bouchard"]
    assert results[5] == EMPTY
    assert results[6] == EMPTY
    assert results[7]["kinds"] == ["DOB"]
    # one flush per line, each after that line's result was written
    assert out.lines_at_flush[:len(lines)] == list(range(1, len(lines) + 1))


def test_output_is_utf8_not_ascii_escaped(monkeypatch):
    # the contract writes only offsets and kinds, but with ensure_ascii=False
    _, results, out = run_cli(monkeypatch, '{"text": "Océane", "lang": "fr"}\n')
    assert results == [{"identifying": True, "kinds": ["PERSON"], "spans": [[0, 6, "PERSON"]]}]
    assert "\\u" not in out.getvalue()


def test_last_line_without_newline_and_crlf(monkeypatch):
    _, results, _ = run_cli(monkeypatch, "ok merci\r\nappelle jessica")
    assert results[0] == EMPTY
    assert results[1]["kinds"] == ["PERSON"]


def test_parser_registers_screen_with_help():
    parser = build_parser()
    args = parser.parse_args(["screen"])
    assert args.func.__module__ == "bot.cli.screen"
    assert "screen" in parser.format_help()


def test_real_subprocess_answers_each_line_before_eof():
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "screen"], cwd=REPO, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
    )
    try:
        assert proc.stdin and proc.stdout
        proc.stdin.write("Elle s'appelle Maïka, née en juillet 2011.\n")
        proc.stdin.flush()
        first = json.loads(proc.stdout.readline())  # answered while stdin is still open
        assert first["kinds"] == ["DOB", "PERSON"]
        text = "Elle s'appelle Maïka, née en juillet 2011."
        assert [text[s:e] for s, e, _ in first["spans"]] == ["Maïka", "juillet 2011"]
        proc.stdin.write('{"text": "Appelle Tel-jeunes au 1 800 263-2266", "lang": "fr"}\n')
        proc.stdin.write("\n")
        proc.stdin.close()
        rest = [json.loads(line) for line in proc.stdout.read().splitlines()]
        assert rest == [EMPTY, EMPTY]
        assert proc.wait(timeout=30) == 0
        assert proc.stderr is not None and proc.stderr.read() == ""
    finally:
        if proc.poll() is None:
            proc.kill()
