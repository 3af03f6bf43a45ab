"""Pattern detectors: e-mail, handle, phone, postal code, RAMQ, SIN, date of birth, address, school.

The plainly written forms are found here; :meth:`PatternDetector.evasions` adds the disguised
ones (spaced, spelled-out or look-alike phone numbers, "at"/"dot" e-mails, birthdays in words,
streets without a civic number, plates and file numbers) from :mod:`bot.privacy.spelled`,
:mod:`bot.privacy.identifiers`, :mod:`bot.privacy.dates` and :mod:`bot.privacy.whereabouts`.

A civic address that locates a service or a meeting (see
:func:`bot.privacy.whereabouts.locates_service`) is not reported, but no name is looked for in it.
Numbers are only looked for in runs of digits and separators (:func:`number_runs`), and most
detectors first check that their trigger characters or words are in the message.

Every detector takes the original text and its folded form (see :mod:`bot.privacy.folding`:
same length, lower case, no accents) and returns ``(start, end, kind)`` spans. The regexes are
written so that they cannot backtrack catastrophically: every repetition is bounded and most
patterns are anchored on a look-behind, so the cost stays linear in the length of the message.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable

import phonenumbers

from bot.privacy.dates import DATE_TRIGGERS, word_dobs
from bot.privacy.fastre import word_alternation
from bot.privacy.folding import fold
from bot.privacy.identifiers import (
    PLATE_TRIGGERS,
    email_possible,
    file_cue_possible,
    file_numbers,
    loose_ramq,
    plates,
    spelled_emails,
)
from bot.privacy.spelled import SpelledNumbers, extend_with_extension, luhn_ok
from bot.privacy.whereabouts import SERVICE_CUE_RE, Whereabouts, locates_service

Span = tuple[int, int, str]
# The civic address of a service or a meeting: not identifying, but no name is looked for in it.
SERVICE_PLACE = "SERVICE_PLACE"

# --- e-mail and handles ---------------------------------------------------------------------

EMAIL_RE = re.compile(
    r"(?<![\w.+-])[\w.+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,6}\.[a-z]{2,24}(?![\w-])"
)
AT_HANDLE_RE = re.compile(r"(?<![\w@.])@[a-z0-9_][a-z0-9_.]{0,29}")
AT_NOT_HANDLE_RE = re.compile(r"@\d{1,2}(?:[h:]\d{0,2})?(?:am|pm)?\.?")
PLATFORM = (
    r"(?:snap(?:chat)?|insta(?:gram)?|ig|tik ?tok|facebook|fb|twitter|kik|discord|telegram"
    r"|only ?fans|whatsapp|threads|reddit|twitch|tinder|grindr|bumble|messenger|pof)"
)
HANDLE_WORD = r"(?:username|user name|user|handle|account|compte|pseudo|id|name|nom|profile|profil)"
# platform [handle-word] (":" | "=" | "c'est" | "it's") token   -- or --   platform handle-word token
HANDLE_CUE_RE = re.compile(
    rf"\b{PLATFORM}(?:'s)?"
    rf"(?:(?: {HANDLE_WORD})?(?: (?:elle|il|she|he|they))?\s{{0,3}}(?::|=|->|c'est|cest|c est"
    r"|it's|its|she's|he's|they're"
    r"|(?:is |was )?(?:called|named)|s'appelle|se nomme|est|is|was|etait)"
    rf"(?: genre(?= )| like(?= )| le(?= )| la(?= ))?\s{{0,3}}| {HANDLE_WORD} )"
    r"(@?[a-z0-9_][a-z0-9_.\-]{1,29})"
)
WEAK_LINK_RE = re.compile(
    r"(?:est|is|was|etait|she's|he's|they're)(?: genre| like| le| la)?\s{0,3}$"
)
PLATFORM_HINT_RE = re.compile(
    r"snap|insta|ig\b|tik|face|fb|twit|kik|disc|teleg|only|what|thread|redd|twitch|tind|grind"
    r"|bumb|messen|pof"
)
# "ig of the guy: bigdaddy.mtl", "le snap de son chum : kev.514": whose account, then a colon.
OWNED_HANDLE_RE = re.compile(
    rf"\b{PLATFORM}(?:'s)? (?:of|de|du|des|d'|from)(?: ?[\w']{{1,15}}){{1,3}} ?(?::|=|->) ?"
    r"(@?[a-z0-9_][a-z0-9_.\-]{1,29})"
)
# "insta kayla.b.22": a platform then, with no link word, a token shaped like a handle.
BARE_HANDLE_RE = re.compile(rf"\b{PLATFORM}(?:'s)? {{1,3}}(@?[a-z0-9_][a-z0-9_.\-]{{2,29}})")

# --- numbers --------------------------------------------------------------------------------

POSTAL_RE = re.compile(
    r"(?<![a-z0-9])[abceghj-nprstvxy]\d[abceghj-nprstv-z][ -]?\d[abceghj-nprstv-z]\d(?![a-z0-9])"
)
RAMQ_RE = re.compile(r"(?<![a-z0-9])([a-z]{4})([ -]?)(\d{4})\2(\d{4})(?![a-z0-9])")
RAMQ_CUE_RE = re.compile(
    r"ramq|carte soleil|assurance[ -]maladie|health card|health insurance|medicare|carte sante"
)
SIN_RE = re.compile(
    r"(\d(?<![\d.,+-]\d)(?<!\d \d)\d\d)([ -]?)(\d{3})\2(\d{3})(?![\d-])(?! \d)"
)
PHONE_RE = re.compile(
    r"(?<![\d+])(?:\+?1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-]?)\d{3}[ .-]?\d{4}(?!\d)"
    r"|(?<![\w+])\+(?!1)\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){2,4}(?!\d)"
)
LOCAL_PHONE_RE = re.compile(r"\d(?<![\d.-]\d)\d\d[-.]\d{4}(?![\d.-])")
# Where phone numbers and SINs can be: runs of digits and the separators those patterns use,
# holding at least 6 digits (see number_runs). Starting on a digit, "(" or "+"
# lets the regex engine skip the rest of the text.
NUMBER_RUN_RE = re.compile(r"[\d(+][\d .()+-]{5,200}")
DIGIT_RE = re.compile(r"\d")
POSTAL_HINT_RE = re.compile(r"\d[abceghj-nprstv-z][ -]?\d")  # the "1A 1" inside "A1A 1A1"
RAMQ_HINT_RE = re.compile(r"\d{4}[ -]?\d{4}")
YEAR_HINT_RE = re.compile(r"(?:19|20)\d\d")
PHONE_CUE_RE = re.compile(
    r"\b(?:t[eé]l|tel\.?|phone|cell|cellulaire|num[eé]ro|number|appel\w*|call|text\w*|rejoindre"
    r"|reach)\b"
)

# --- dates of birth ------------------------------------------------------------------------

MONTHS = (
    r"(?:janvier|janv|fevrier|fevr|fev|mars|avril|avr|mai|juin|juillet|juil|aout|septembre"
    r"|sept|octobre|oct|novembre|nov|decembre|dec|january|jan|february|feb|march|mar|april|apr"
    r"|may|june|jun|july|jul|august|aug|september|sep|october|november|december)"
)
YEAR = r"(?:19|20)\d\d"
DAY = r"(?:1er|[0-3]?\d)(?:er|st|nd|rd|th)?"
FULL_DATE = (
    rf"(?:{DAY} (?:de )?{MONTHS}\.?,? (?:de )?{YEAR}"
    rf"|{MONTHS}\.? {DAY},? {YEAR}"
    rf"|{YEAR}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])"
    rf"|[0-3]?\d[-/.][01]?\d[-/.]{YEAR})"
)
FULL_DATE_RE = re.compile(rf"(?<![\w/.-]){FULL_DATE}(?![\w/-])")
CUED_DATE_RE = re.compile(
    rf"(?<![\w/.-])(?:{FULL_DATE}|{MONTHS}\.? (?:de |of |en |in )?{YEAR}|{DAY} (?:de )?{MONTHS}"
    rf"|{MONTHS}\.? {DAY}|{YEAR}|[0-3]?\d[-/.][01]?\d(?:[-/.]\d\d)?)(?![\w/-])"
)
DOB_CUE_RE = re.compile(word_alternation((
    "nee?s?", r"ne\(e\)", "naissance", r"naiss\.?", "ddn", r"d\.d\.n\.?", "dob", r"d\.o\.b\.?",
    "born", "birth ?date", "birth", "birthday", "bday", "b-day", "anniversaire",
)) + r"\b")
NOT_BIRTH_CONTEXT_RE = re.compile(
    r"\b(?:depuis|since|from|until|jusqu|till|signal\w*|jugement|audience|hearing|court|cour"
    r"|incident|arrest\w*|arrivee|placement|admission|rencontre|meeting|rendez|rdv|formation"
    r"|depuis le|en date du|dated|reported|fugue)\b"
)

# --- addresses -----------------------------------------------------------------------------

APT = (
    r"(?:,? ?(?:app|appt|apt|appartement|apartment|unit|unite|suite|bureau|local|logement|log"
    r"|#|no)\.? ?#?\d{1,5}[a-z]?(?![\w]))?"
)
CIVIC = r"\d(?<![\w,.-]\d)\d{0,4}[a-z]?(?:-\d{1,5})?"  # digit first: see NUMBER_RUN_RE
FR_STREET_TYPES = (
    r"(?:rue|avenue|av|ave|boulevard|boul|blvd|chemin|ch|autoroute|montee|croissant|impasse"
    r"|ruelle|rang|route|place|cote|allee|terrasse|promenade|carre|square|voie|circle)"
)
FR_AMBIGUOUS_TYPES = frozenset({"place", "cote", "allee", "terrasse", "promenade", "carre",
                                "square", "voie", "route", "rang", "circle"})
FR_ADDRESS_RE = re.compile(
    rf"{CIVIC},? (?P<type>{FR_STREET_TYPES})\b\.? ?(?:(?:de la|de l'|du|des|de|d') ?)?"
    r"(?P<name>[\w'-]{1,40}(?: [\w'-]{1,40}){0,3})"
)
EN_STREET_TYPES = (
    r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|drive|dr|crescent|cres|lane|ln|court|ct"
    r"|way|place|pl|terrace|circle|cir|parkway|highway|hwy|row|square|sq)"
)
EN_UNAMBIGUOUS_TYPES = frozenset({"street", "avenue", "ave", "road", "rd", "boulevard", "blvd",
                                  "crescent", "cres"})
EN_ADDRESS_RE = re.compile(
    rf"{CIVIC},? ((?:[\w'.-]{{1,40}} ){{1,4}}?){EN_STREET_TYPES}\b\.?"
)
FR_TYPE_WORDS = frozenset(FR_STREET_TYPES[3:-1].split("|"))
EN_TYPE_WORDS = frozenset(EN_STREET_TYPES[3:-1].split("|"))
COMPASS_WORDS = frozenset({"east", "west", "north", "south", "est", "ouest", "nord", "sud"})
# "500 René-Lévesque West", "1 Notre-Dame Est": a civic number, a capitalised name, a direction.
COMPASS_ADDRESS_RE = re.compile(
    rf"{CIVIC},? (?P<name>[\w'.-]{{1,40}}(?: [\w'.-]{{1,40}}){{0,2}})"
    r" (?:east|west|north|south|est|ouest|nord|sud)\b"
)
DIRECTION_RE = re.compile(
    r" (?:est|ouest|nord|sud|east|west|north|south|e|o|n|s|w)\b\.?(?=$|[\s,.;:!?)])"
)
APT_RE = re.compile(APT)

# --- schools -------------------------------------------------------------------------------

FR_SCHOOL_RE = re.compile(
    r"\b(?:ecole|polyvalente|poly|college|cegep|academie|pensionnat|centre de formation"
    r"(?: professionnelle| generale)?|cfp)"
    r"((?: (?:secondaire|primaire|internationale|alternative|privee|publique|secondaire"
    r" internationale))?)"
    r" ((?:(?:de la|de l'|du|des|de|d') ?)?)([\w'-]{1,40}(?: [\w'-]{1,40}){0,3})"
)
EN_SCHOOL_RE = re.compile(
    r"((?:[A-ZÀ-Ý][\w'.-]{0,40} ){1,4})"
    r"(?i:high school|high|secondary school|secondary|elementary school|elementary"
    r"|middle school|junior high|academy|college|collegiate|school|polyvalente|cegep)\b"
)

# One of these is in every school name the two patterns above can find (cheap pre-check).
SCHOOL_HINT_RE = re.compile(
    r"ecole|poly|college|cegep|academ|pensionnat|centre de formation|cfp|high|secondary"
    r"|elementary|school"
)

TOKEN_RE = re.compile(r"[\w'-]+")
WORD_RE = re.compile(r"[a-z]+")


def _with_extensions(folded: str, spans: list[Span]) -> list[Span]:
    """Phone spans extended over an extension ("poste 22", "ext. 204", "x12")."""
    return [
        (s, extend_with_extension(folded, e), k) if k == "PHONE" else (s, e, k)
        for s, e, k in spans
    ]


def normalise_phone(raw: str) -> str | None:
    """E.164 form of a phone number written any common way (vanity letters included:
    ``1 866 APPELLE``), or None if it is not one."""
    if any(c.isalpha() for c in raw):
        raw = phonenumbers.convert_alpha_characters_in_number(raw)
    digits = re.sub(r"\D", "", raw)
    if len(digits) <= 6:
        return digits or None  # short codes: 811, 911, 988, 686868
    if not raw.lstrip().startswith("+") or raw.lstrip().startswith("+1"):
        # North-American shape: what phonenumbers would return, without its cost
        if len(digits) == 10 and digits[0] in "23456789":
            return "+1" + digits
        if len(digits) == 11 and digits[0] == "1" and digits[1] in "23456789":
            return "+" + digits
    try:
        number = phonenumbers.parse(raw, "CA")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def number_runs(folded: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every run of digits and phone separators (space, ".", "-", "(",
    ")", "+") holding at least 6 digits: the only places a phone number (6 digits at least,
    international), a local number or a SIN can be (each is made of those characters alone)."""
    out: list[tuple[int, int]] = []
    for m in NUMBER_RUN_RE.finditer(folded):
        if len(DIGIT_RE.findall(m.group())) >= 6:
            out.append(m.span())
    return out


def _in_runs(
    pattern: re.Pattern[str], folded: str, runs: list[tuple[int, int]]
) -> list[re.Match[str]]:
    """Matches of ``pattern`` inside the ``runs`` (look-behinds still see the text before)."""
    return [m for lo, hi in runs for m in pattern.finditer(folded, lo, hi)]


class PatternDetector:
    """Runs the pattern detectors; holds the allowed phone numbers and the reference year."""

    def __init__(
        self,
        allowed_phones: Iterable[str],
        stopwords: frozenset[str],
        reference_year: int,
        common_words: Container[str] = frozenset(),
    ) -> None:
        self.allowed_phones = frozenset(
            p for p in (normalise_phone(raw) for raw in allowed_phones) if p
        )
        self.stopwords = stopwords
        self.reference_year = reference_year
        self.common_words = common_words
        self.spelled = SpelledNumbers(self.allowed_phones)
        self.whereabouts = Whereabouts(stopwords, common_words)

    def scan(self, text: str, folded: str) -> list[Span]:
        spans: list[Span] = []
        if "@" in folded:
            spans += self.emails(folded)
            spans += self.at_handles(folded, spans)
        spans += self.cued_handles(folded)
        word_list = WORD_RE.findall(folded)
        words = frozenset(word_list)
        has_digit = DIGIT_RE.search(folded) is not None
        if has_digit:
            if POSTAL_HINT_RE.search(folded):
                spans += self.postal_codes(folded)
            if RAMQ_HINT_RE.search(folded):
                spans += self.ramq(text, folded)
            runs = number_runs(folded)
            if runs:
                spans += self.sins(folded, runs)
                spans += self.phones(text, folded, runs)
            spans += self.dobs(text, folded)
            spans += [(s, e, SERVICE_PLACE if locates_service(folded, s, e) else k)
                      for s, e, k in self.addresses(text, folded, words)]
        spans += self.schools(text, folded)
        spans += self.evasions(text, folded, has_digit, word_list, words,
                               [(s, e) for s, e, k in spans if k == "PHONE"])
        return _with_extensions(folded, spans)

    def evasions(
        self, text: str, folded: str, has_digit: bool, word_list: list[str],
        words: frozenset[str], phones: list[tuple[int, int]],
    ) -> list[Span]:
        """Identifiers written to get past the plain patterns (see the modules imported).

        Each detector runs only when one of its trigger words is in the message (one pass to
        collect the words: ``word_list``/``words``), so ordinary messages pay for almost none
        of them."""
        spans = self.spelled.scan(text, folded, word_list, words, phones)
        if email_possible(words, folded, text):
            spans += spelled_emails(folded, self.stopwords, text)
        if words & DATE_TRIGGERS:
            spans += word_dobs(text, folded)
        spans += self.whereabouts.scan(text, folded, words)
        if has_digit:
            if sum(map(folded.count, "0123456789")) >= 8:
                spans += loose_ramq(text, folded)
            if words & PLATE_TRIGGERS:
                spans += plates(folded, self.stopwords)
            if file_cue_possible(words, folded):
                spans += file_numbers(folded)
        return spans

    # -- kinds --

    def emails(self, folded: str) -> list[Span]:
        return [(m.start(), m.end(), "EMAIL") for m in EMAIL_RE.finditer(folded)]

    def at_handles(self, folded: str, emails: list[Span]) -> list[Span]:
        out: list[Span] = []
        for m in AT_HANDLE_RE.finditer(folded):
            start, end = m.start(), m.end()
            while end > start + 1 and folded[end - 1] == ".":
                end -= 1
            handle = folded[start:end]
            if AT_NOT_HANDLE_RE.fullmatch(handle) or not any(c.isalpha() for c in handle):
                continue
            if any(s <= start < e for s, e, _ in emails):
                continue
            out.append((start, end, "HANDLE"))
        return out

    def cued_handles(self, folded: str) -> list[Span]:
        if not PLATFORM_HINT_RE.search(folded):
            return []
        out: list[Span] = self.bare_handles(folded) + self.owned_handles(folded)
        for m in HANDLE_CUE_RE.finditer(folded):
            start, end = m.span(1)
            while end > start and folded[end - 1] in ".-":
                end -= 1
            token = folded[start:end]
            if len(token) < 2 or token in self.stopwords or token.isdigit():
                continue
            looks_like_handle = any(c in "._@" or c.isdigit() for c in token)
            if not looks_like_handle and WEAK_LINK_RE.search(folded, m.start(), start):
                # "her snap is private", "son insta est plein de ...": a plain word after
                # "is"/"est" counts only when it ends the clause.
                rest = folded[end:end + 2]
                if rest and rest[0] not in ".,;!?)\n" and not rest.startswith(" -"):
                    continue
            out.append((start, end, "HANDLE"))
        return out

    def owned_handles(self, folded: str) -> list[Span]:
        """``ig of the guy: bigdaddy.mtl``: a token after the colon that is not an ordinary
        word ("insta de sa soeur : privé" passes)."""
        out: list[Span] = []
        for m in OWNED_HANDLE_RE.finditer(folded):
            if SERVICE_CUE_RE.search(folded, m.start(), m.start(1)):
                continue  # "insta de l'organisme : ..." names a service's account
            start, end = m.span(1)
            while end > start and folded[end - 1] in ".-":
                end -= 1
            token = folded[start:end].lstrip("@")
            marked = any(c in "._@" or c.isdigit() for c in folded[start:end])
            if len(token) >= 3 and (marked or token not in self.stopwords
                                    and token not in self.common_words):
                out.append((start, end, "HANDLE"))
        return out

    def bare_handles(self, folded: str) -> list[Span]:
        """``insta kayla.b.22``: only a token that looks like a handle (a dot, an underscore
        or a digit among at least two letters) counts without a link word."""
        out: list[Span] = []
        for m in BARE_HANDLE_RE.finditer(folded):
            start, end = m.span(1)
            while end > start and folded[end - 1] in ".-":
                end -= 1
            token = folded[start:end].lstrip("@")
            letters = sum(c.isalpha() for c in token)
            marked = any(c in "._" or c.isdigit() for c in token)
            if letters >= 2 and marked and len(token) >= 4:
                out.append((start, end, "HANDLE"))
        return out

    def postal_codes(self, folded: str) -> list[Span]:
        return [(m.start(), m.end(), "POSTAL_CODE") for m in POSTAL_RE.finditer(folded)]

    def ramq(self, text: str, folded: str) -> list[Span]:
        out: list[Span] = []
        for m in RAMQ_RE.finditer(folded):
            letters = text[m.start(1):m.end(1)]
            digits = m.group(3) + m.group(4)
            month, day = int(digits[2:4]), int(digits[4:6])
            plausible = (1 <= month <= 12 or 51 <= month <= 62) and 1 <= day <= 31
            cued = RAMQ_CUE_RE.search(folded, max(0, m.start() - 60), m.start()) is not None
            if letters.isupper() or not m.group(2) or plausible or cued:
                out.append((m.start(), m.end(), "RAMQ"))
        return out

    def sins(self, folded: str, runs: list[tuple[int, int]]) -> list[Span]:
        out: list[Span] = []
        for m in _in_runs(SIN_RE, folded, runs):
            digits = m.group(1) + m.group(3) + m.group(4)
            if luhn_ok(digits):
                out.append((m.start(), m.end(), "SIN"))
        return out

    def phones(self, text: str, folded: str, runs: list[tuple[int, int]]) -> list[Span]:
        out: list[Span] = []
        seen: list[tuple[int, int]] = []
        for m in _in_runs(PHONE_RE, folded, runs):
            start, end = m.span()
            seen.append((start, end))
            number = normalise_phone(text[start:end])
            if number is None or number in self.allowed_phones:
                continue
            out.append((start, end, "PHONE"))
        for m in _in_runs(LOCAL_PHONE_RE, folded, runs):
            if any(s <= m.start() < e for s, e in seen):
                continue
            if PHONE_CUE_RE.search(folded, max(0, m.start() - 40), m.start()):
                out.append((m.start(), m.end(), "PHONE"))
        return out

    def dobs(self, text: str, folded: str) -> list[Span]:
        out: list[Span] = []
        for cue in DOB_CUE_RE.finditer(folded):
            word = cue.group(0)
            # "né" is a cue, the negation "ne" is not: ask the original text for the accent.
            if word in ("ne", "nes") and "é" not in text[cue.start():cue.end()].lower():
                continue
            window_end = cue.end()
            limit = min(len(folded), cue.end() + 40)
            while window_end < limit and folded[window_end] not in "!?\n;":
                window_end += 1
            m = CUED_DATE_RE.search(folded, cue.end(), window_end)
            if m:
                out.append((m.start(), m.end(), "DOB"))
        if YEAR_HINT_RE.search(folded) is None:
            return out  # every un-cued full date has a year
        for m in FULL_DATE_RE.finditer(folded):
            if any(s <= m.start() < e for s, e, _ in out):
                continue
            years = re.findall(YEAR, m.group(0))
            year = int(years[-1]) if years else 0
            if not self.reference_year - 30 <= year <= self.reference_year - 6:
                continue
            if NOT_BIRTH_CONTEXT_RE.search(folded, max(0, m.start() - 30), m.start()):
                continue
            out.append((m.start(), m.end(), "DOB"))
        return out

    def addresses(self, text: str, folded: str, word_set: frozenset[str]) -> list[Span]:
        """Civic addresses; each pattern runs only when its street-type (or direction) words
        are among the message's words (``word_set``)."""
        out: list[Span] = []
        fr_matches = FR_ADDRESS_RE.finditer(folded) if word_set & FR_TYPE_WORDS else ()
        for m in fr_matches:
            end = self._street_name_end(
                text, folded, m.start("name"), m.end("name"), m.group("type")
            )
            if end is None:
                continue
            out.append((m.start(), self._address_tail(folded, end), "ADDRESS"))
        en_matches = EN_ADDRESS_RE.finditer(folded) if word_set & EN_TYPE_WORDS else ()
        for m in en_matches:
            if any(s <= m.start() < e for s, e, _ in out):
                continue
            words = m.group(1).split()
            type_word = folded[m.end(1):m.end()].strip(". ")
            original_words = text[m.start(1):m.end(1)].split()
            capitalised = all(w[:1].isupper() or w[:1].isdigit() for w in original_words)
            if any(w in self.stopwords for w in words):
                continue
            if not capitalised and not (type_word in EN_UNAMBIGUOUS_TYPES and len(words) == 1):
                continue
            out.append((m.start(), self._address_tail(folded, m.end()), "ADDRESS"))
        if word_set & COMPASS_WORDS:
            out += self._compass_addresses(text, folded, out)
        return out

    def _compass_addresses(self, text: str, folded: str, found: list[Span]) -> list[Span]:
        """Civic addresses without a street type but with a direction ("at 500 René-Lévesque
        West"): every word of the name capitalised, the first not a function word."""
        out: list[Span] = []
        for m in COMPASS_ADDRESS_RE.finditer(folded):
            if any(s <= m.start() < e for s, e, _ in found):
                continue
            words = text[m.start("name"):m.end("name")].split()
            if words and all(w[:1].isupper() for w in words) \
                    and fold(words[0]) not in self.stopwords:
                out.append((m.start(), self._address_tail(folded, m.end()), "ADDRESS"))
        return out

    def _street_name_end(
        self, text: str, folded: str, start: int, end: int, street_type: str
    ) -> int | None:
        """End of the street name that starts at ``start``, or None if there is no name."""
        last = None
        for i, m in enumerate(TOKEN_RE.finditer(folded, start, end)):
            word = m.group(0)
            original = text[m.start():m.end()]
            capitalised = original[:1].isupper() or original[:1].isdigit()
            if i == 0:
                if word in self.stopwords and not capitalised:
                    return None
                if street_type in FR_AMBIGUOUS_TYPES and not capitalised:
                    return None
                last = m.end()
                continue
            if capitalised or "-" in word:
                last = m.end()
                continue
            break
        return last

    @staticmethod
    def _address_tail(folded: str, end: int) -> int:
        d = DIRECTION_RE.match(folded, end)
        if d:
            end = d.end()
        a = APT_RE.match(folded, end)
        if a and a.end() > end:
            end = a.end()
        return end

    def schools(self, text: str, folded: str) -> list[Span]:
        out: list[Span] = []
        if SCHOOL_HINT_RE.search(folded) is None:
            return out
        for m in FR_SCHOOL_RE.finditer(folded):
            level = m.group(1).strip()
            name_end = None
            for i, t in enumerate(TOKEN_RE.finditer(folded, m.start(3), m.end(3))):
                original = text[t.start():t.end()]
                capitalised = original[:1].isupper()
                word = t.group(0).strip("'-")
                if i == 0:
                    if word in self.stopwords and not capitalised:
                        break
                    if not capitalised and not (level and "-" in word):
                        break
                    name_end = t.end()
                    continue
                if capitalised or "-" in word:
                    name_end = t.end()
                    continue
                break
            if name_end is not None:
                out.append((m.start(), name_end, "SCHOOL"))
        for m in EN_SCHOOL_RE.finditer(text):
            words = m.group(1).split()
            start = m.start(1)
            # drop leading function words: "The High School", "Her School"
            while words and fold(re.sub(r"['’]s$", "", words[0])) in self.stopwords:
                start += len(words[0]) + 1
                words = words[1:]
            if not words:
                continue
            if any(s <= start < e for s, e, _ in out):
                continue
            out.append((start, m.end(), "SCHOOL"))
        return out

