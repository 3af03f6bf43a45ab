"""Identifiers written around the plain patterns: e-mail addresses spelled with "at"/"dot"
("arobase"/"point", and the French "à"/"chez" before a mail provider or after a local part
shaped like an address), health-card numbers in odd groups, licence plates and file numbers.

Plates and file numbers are only looked for after a cue that names them ("plaque",
"licence plate", "dossier DPJ", "numéro de dossier", "file number"), because their shapes
("FXT 4821", "2024-118734") are otherwise ordinary. Relais's own case codes (``K7-4QX``: two
characters, a dash, three characters) hold at most two digits and are never read as a file
number.

All regexes have bounded repetitions; cue-anchored ones only look a few dozen characters ahead.
"""

from __future__ import annotations

import re

Span = tuple[int, int, str]

# --- e-mail addresses in words --------------------------------------------------------------

_OPEN, _CLOSE = r"[(\[{<]", r"[)\]}>]"
AT_RE = re.compile(
    rf"{_OPEN} ?(?:at|a|arobase|arobas|arrobase|@) ?{_CLOSE}"
    r"|(?<= )(?:at|arobase|arobas|arrobase|a|chez)(?= )|@"
)
PLAIN_AT_WORDS = frozenset({"at", "a", "chez"})
WEAK_AT_WORDS = frozenset({"a", "chez"})
EMAIL_CUE_RE = re.compile(r"\b(?:e-?mail|courriel|mail|adresse|address|ecri\w*|write|contact)")
BRACKETED = frozenset("([{<")
EMAIL_TRIGGERS = frozenset({"at", "arobase", "arobas", "arrobase"})
BRACKETED_A_RE = re.compile(rf"{_OPEN} ?(?:a|at) ?{_CLOSE}")
DOT = (
    rf"(?: ?{_OPEN} ?(?:dot|point|pt|\.) ?{_CLOSE} ?| {{1,2}}(?:dot|point) {{1,2}}| ?\. ?)"
)
LABEL_RE = re.compile(r" {0,2}([a-z0-9][a-z0-9-]{0,62})(?![\w-])")
DOT_LABEL_RE = re.compile(rf"{DOT}([a-z0-9][a-z0-9-]{{0,62}})(?![\w-])")
LOCAL_RE = re.compile(
    r"(?<![\w.+-])(?:[a-z0-9][\w+-]{0,30} (?:dot|point) ){0,2}[a-z0-9][\w.+-]{0,63} {0,2}$"
)
TLDS = frozenset({
    "com", "ca", "net", "org", "fr", "info", "io", "me", "co", "us", "edu", "live", "ht", "be",
    "ch", "uk", "ma", "dz", "tn", "sn", "ci", "cm", "xyz", "app", "biz", "email", "online",
})
# Mail providers: "jess at gmail.com" is an address, "look at google.com" is not.
PROVIDERS = frozenset({"gmail", "hotmail", "outlook", "yahoo", "icloud", "videotron", "live",
                       "msn", "aol", "proton", "protonmail", "sympatico", "mail", "ymail",
                       "bell", "globetrotter", "cgocable"})
WORD_DOT_RE = re.compile(rf"{_OPEN}|dot|point|pt")
DOT_WORDS = frozenset({"dot", "point", "pt"})


def email_possible(words: frozenset[str], folded: str, text: str = "") -> bool:
    """Cheap gate for :func:`spelled_emails`: an "@", an "arobase", a bracketed at, or a
    plain "at" (or "à") together with a spelled dot or a mail provider, or "a"/"chez"
    together with a mail provider."""
    if "@" in folded or words & EMAIL_TRIGGERS - {"at"} or BRACKETED_A_RE.search(folded):
        return True
    if not words & PROVIDERS and not words & DOT_WORDS:
        return False
    return "at" in words or "à" in text or bool(words & PROVIDERS and words & WEAK_AT_WORDS)


def _marked(local: str) -> bool:
    """A local part shaped like an address: a dot, an underscore or a digit ("mimi.2009")."""
    return any(c in "._" or c.isdigit() for c in local)


def _plain_at_ok(at_word: str, written: str, local: str, domain: str, end: int | None,
                 word_dot: bool, cued: bool) -> bool:
    """Whether a plain word ("at", "à", "a", "chez") stands for "@" here.

    A known TLD spelled with "dot"/"point" or a mail provider is needed ("look at google.com"
    passes); with no TLD at all, a provider and a local part shaped like an address or an
    e-mail cue before it ("jess.b at gmail", "courriel : kayla at gmail"). "à", "a" and
    "chez" are ordinary French words: the domain must be a provider or the local part marked,
    and an "a" written without its accent needs both."""
    provider = domain in PROVIDERS
    if end is None:
        if not provider or not (_marked(local) or cued):
            return False
    elif not word_dot and not provider:
        return False
    if at_word == "at":
        return True
    if at_word == "a" and written != "à":
        return provider and _marked(local)
    return provider or _marked(local)


def spelled_emails(folded: str, stopwords: frozenset[str], text: str = "") -> list[Span]:
    """``jess at gmail dot com``, ``kayla.b arobase hotmail point com``, ``jess (at) gmail``,
    ``mimi.2009 à gmail point com``, ``jess_b chez hotmail point com``."""
    out: list[Span] = []
    for at in AT_RE.finditer(folded):
        before = folded[max(0, at.start() - 66):at.start()]
        local = LOCAL_RE.search(before)
        if local is None:
            continue
        local_word = local.group(0).strip()
        if local_word in stopwords or local_word.split(" ")[0] in stopwords:
            continue  # "email her at gmail dot com" names no address
        domain = LABEL_RE.match(folded, at.end())
        if domain is None:
            continue
        end = _address_end(folded, domain.end())
        at_word = at.group(0)
        start = at.start() - len(before) + local.start()
        if at_word in PLAIN_AT_WORDS:
            word_dot = end is not None and WORD_DOT_RE.search(folded, domain.end(), end)
            cued = EMAIL_CUE_RE.search(folded, max(0, start - 30), start) is not None
            if not _plain_at_ok(at_word, text[at.start():at.end()], local_word,
                                domain.group(1), end, bool(word_dot), cued):
                continue
        elif end is None and not (at_word[0] in BRACKETED or at_word.startswith("ar")
                                  or domain.group(1) in PROVIDERS):
            continue  # a bracketed at, "arobase" or "@ gmail" needs no TLD after it
        out.append((start, end if end is not None else domain.end(), "EMAIL"))
    return out


def _address_end(folded: str, pos: int) -> int | None:
    """End of the ``.label`` groups after the domain, up to the last one that is a known TLD."""
    end = None
    for _ in range(4):
        m = DOT_LABEL_RE.match(folded, pos)
        if m is None:
            break
        pos = m.end()
        if m.group(1) in TLDS:
            end = pos
    return end


# --- health-insurance numbers in odd groups -------------------------------------------------

RAMQ_LOOSE_RE = re.compile(
    r"(?<![a-z0-9])([a-z]{4})[ .-]{0,2}(\d(?:[ .-]{0,2}\d){7})(?![ .-]?\d)(?![a-z])"
)
RAMQ_CUE_RE = re.compile(
    r"ramq|carte soleil|assurance[ -]maladie|health card|health insurance|medicare|carte sante"
    r"|carte d'assurance"
)


# Runs of at least 8 digits in small groups: a loose health-card number starts one of these.
DIGIT_GROUPS_RE = re.compile(r"\d(?:[ .-]{0,2}\d){7,40}")


def _loose_ramq_matches(folded: str) -> list[re.Match[str]]:
    """Matches of RAMQ_LOOSE_RE, looked for only where a run of 8+ digits starts (its four
    letters are at most 6 characters before the run)."""
    return [
        m for run in DIGIT_GROUPS_RE.finditer(folded)
        for m in RAMQ_LOOSE_RE.finditer(folded, max(0, run.start() - 6),
                                        min(len(folded), run.end() + 2))
    ]


def loose_ramq(text: str, folded: str) -> list[Span]:
    """``TREJ 09 53 03 12``, ``TREJ-0953.0312``: four capitals and eight digits in any groups,
    or any case after a health-card cue ("Born 2009-02-14" is a date, not a card)."""
    out: list[Span] = []
    for m in _loose_ramq_matches(folded):
        letters = text[m.start(1):m.end(1)]
        digits = re.sub(r"\D", "", m.group(2))
        month, day = int(digits[2:4]), int(digits[4:6])
        plausible = (1 <= month <= 12 or 51 <= month <= 62) and 1 <= day <= 31
        cued = RAMQ_CUE_RE.search(folded, max(0, m.start() - 60), m.start()) is not None
        if cued or (plausible and letters.isupper()):
            out.append((m.start(), m.end(), "RAMQ"))
    return out


# --- licence plates -------------------------------------------------------------------------

PLATE_CUE_RE = re.compile(
    r"\b(?:plaques?(?: d'immatriculation)?|immatriculation|immatricule[e]?|licen[cs]e plates?"
    r"|licen[cs]e plate number|plates?(?: number| no\.?| #)?|tag number)\b"
)
PLATE_TRIGGERS = frozenset({"plaque", "plaques", "immatriculation", "immatricule",
                            "immatriculee", "licence", "license", "plate", "plates", "tag"})
PLATE_TOKEN_RE = re.compile(r"[a-z0-9]+")
PLATE_GAP_RE = re.compile(r"[ \-]")
TIME_RE = re.compile(r"\d{1,2}h\d{0,2}|\d{1,2}(?:am|pm)")
PLATE_LOOKAHEAD = 45


def plates(folded: str, stopwords: frozenset[str]) -> list[Span]:
    """``plaque FXT 4821``, ``licence plate G45 KLM``, ``immatriculation : ABC1234``."""
    out: list[Span] = []
    for cue in PLATE_CUE_RE.finditer(folded):
        limit = _clause_end(folded, cue.end(), PLATE_LOOKAHEAD)
        tokens = list(PLATE_TOKEN_RE.finditer(folded, cue.end(), limit))
        span = _plate_in(folded, tokens, stopwords)
        if span is not None:
            out.append((span[0], span[1], "PLATE"))
    return out


def _plate_in(
    folded: str, tokens: list[re.Match[str]], stopwords: frozenset[str]
) -> tuple[int, int] | None:
    for k, tok in enumerate(tokens):
        word = tok.group(0)
        if not any(c.isdigit() for c in word):
            continue
        if TIME_RE.fullmatch(word) or len(word) > 8:
            return None
        best = (tok.start(), tok.end())
        for other, first in ((tokens[k - 1] if k else None, True),
                             (tokens[k + 1] if k + 1 < len(tokens) else None, False)):
            if other is None or not _plate_part(other.group(0), stopwords):
                continue
            a, b = (other, tok) if first else (tok, other)
            if PLATE_GAP_RE.fullmatch(folded[a.end():b.start()]) and len(word) <= 4 \
                    and _plate_shape(folded[a.start():b.end()]):
                return a.start(), b.end()
        chars = folded[best[0]:best[1]]
        if _plate_shape(chars) or (chars.isdigit() and 5 <= len(chars) <= 7):
            return best
        return None
    return None


def _plate_shape(chars: str) -> bool:
    """Letters and digits mixed, 5 to 8 of them, at least two of each."""
    alnum = [c for c in chars if c.isalnum()]
    digits = sum(c.isdigit() for c in alnum)
    return 5 <= len(alnum) <= 8 and digits >= 2 and len(alnum) - digits >= 2


def _plate_part(word: str, stopwords: frozenset[str]) -> bool:
    return 2 <= len(word) <= 4 and word not in stopwords and not PLATE_CUE_RE.fullmatch(word) \
        and any(c.isalpha() for c in word)


# --- file numbers ---------------------------------------------------------------------------

_QUALIFIER = (
    r"(?: (?:dpj|lpj|lsjpa|criminel|judiciaire|de (?:la )?cour|a la cour|de cour|au tribunal"
    r"|du tribunal|de police|police|spvm|sq|de la dpj|a la dpj|de la jeune|du jeune|de l'ado))?"
)
FILE_CUE_RE = re.compile(
    r"\b(?:(?:num[eé]ro|no\.?|n°|n o|#) ?(?:de |du |d')?(?:dossier|cause|plainte|usager"
    rf"|rapport|evenement|incident){_QUALIFIER}"
    rf"|dossier{_QUALIFIER}"
    r"|(?:court |case |police |incident |report |event )?file(?: number| no\.?)?"
    r"|case (?:number|no\.?|#)|court (?:file|docket)|docket(?: number| no\.?| #)?"
    r"|(?:police |incident |event )?report (?:number|no\.?|#))(?:(?<=#)|(?![\w]))"
)
FILE_TRIGGERS = frozenset({"dossier", "docket", "cause", "plainte", "usager", "rapport",
                           "evenement", "incident"})
# "file", "case", "report" name a file number only with "number"/"no"/"numéro" nearby.
NUMBERED_TRIGGERS = frozenset({"file", "case", "report", "court"})
NUMBER_WORDS_EN_FR = frozenset({"number", "no", "numero", "num", "n"})
FILE_GAP_RE = re.compile(
    r"(?: ?(?::|=|#|-|no\.?|n°|number|numero|est|c'est|is|le|du|de la) ?){0,3}"
)
FILE_NUMBER_RE = re.compile(
    r"(?<![\w-])(?:[a-z]{1,4}[ -]?)?\d[\d]{0,11}(?:[ /-]\d{1,12}){0,5}(?![\w-])"
)
DATE_SHAPE_RE = re.compile(
    r"(?:19|20)\d\d[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])"
    r"|[0-3]?\d[-/.][01]?\d[-/.](?:19|20)?\d\d"
    r"|(?:19|20)\d\d ?[-/] ?(?:19|20)?\d\d"  # a school or fiscal year: 2023-2024
)


def file_cue_possible(words: frozenset[str], folded: str) -> bool:
    """Cheap gate for :func:`file_numbers`: one of its cue words is in the message."""
    if words & FILE_TRIGGERS:
        return True
    if not words & NUMBERED_TRIGGERS:
        return False
    return bool(words & NUMBER_WORDS_EN_FR) or "#" in folded or {"court", "file"} <= words


def file_numbers(folded: str) -> list[Span]:
    """``dossier DPJ 2024-118734``, ``numéro de dossier 87345-21``, ``file number 2023-55671``,
    ``no de dossier à la cour 500-41-012345-234``; not case codes (``dossier K7-4QX``)."""
    out: list[Span] = []
    for cue in FILE_CUE_RE.finditer(folded):
        gap = FILE_GAP_RE.match(folded, cue.end())
        pos = gap.end() if gap else cue.end()
        if pos < len(folded) and folded[pos] == " ":
            pos += 1
        m = FILE_NUMBER_RE.match(folded, pos)
        if m is None:
            continue
        number = m.group(0)
        if sum(c.isdigit() for c in number) < 5 or DATE_SHAPE_RE.fullmatch(number):
            continue
        out.append((m.start(), m.end(), "FILE_NUMBER"))
    return out


def _clause_end(folded: str, start: int, length: int) -> int:
    limit = min(len(folded), start + length)
    for i in range(start, limit):
        if folded[i] in "!?\n;":
            return i
        if folded[i] == "." and (i + 1 >= len(folded) or folded[i + 1] == " "):
            return i
    return limit
