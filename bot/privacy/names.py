"""Person names: a first-name and surname list, cue phrases and context.

How a word becomes a ``PERSON`` span, in order:

1. a *strong cue* before it ("s'appelle", "se fait appeler", "her name is", "named",
   "goes by", "known as") flags the next capitalised word, or a listed name in lower case;
2. a *title* (Mme, M., Mr, Mrs, Ms, Mlle) flags the next capitalised word;
3. a *relationship* ("sa sœur", "her boyfriend", "le père,") flags the next capitalised word;
4. otherwise the word must be in the name lists, and then:
   - capitalised in mid-sentence: flagged;
   - capitalised at the start of a sentence: flagged, unless it is also a common word
     ("Mark the file", "Victoire!", "Hope this helps"), which needs a following surname, a
     possessive, an age ("Rose, 15 ans") or a verb of action ("Grace m'a dit");
   - in lower case: flagged if it is not a common word ("jessica", "maïka"); a common word
     ("maxime", "mélodie") needs a cue: "avec maxime hier", "parlé avec mélodie",
     "maxime m'a texté".

Words inside an allowed term (organisation, helpline, place of the gazetteer) are never flagged
from the lists; only an explicit strong cue or title overrides a one-word place ("Mme Alma").
Words right after a place word ("rue", "métro", "station") or before one ("Street", "Park") are
places, not people.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from bot.privacy.folding import fold

Span = tuple[int, int, str]

NAME_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’\-‐‑–][^\W\d_]+)*")
PART_SPLIT_RE = re.compile(r"['’\-‐‑–]")
ELISIONS = frozenset({"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu",
                      "puisqu", "quoiqu", "presqu"})
SENTENCE_END = ".!?:;\n…"
ABBREVIATIONS_WITH_DOT = frozenset({"m", "mr", "mrs", "ms", "dr", "st", "ste", "av", "boul",
                                    "app", "apt", "no", "vs", "p", "etc", "mme", "mlle"})
PLACE_PREFIXES = frozenset({"saint", "sainte", "st", "ste", "mont", "lac", "pointe", "ile",
                            "cote", "riviere", "notre", "baie", "val", "port", "grand",
                            "grande", "petit", "petite", "vieux", "haute", "bas", "sept",
                            "trois", "deux", "fort", "chute", "chutes", "cap", "anse"})
PLACE_BEFORE = frozenset({
    "rue", "avenue", "av", "ave", "boul", "boulevard", "blvd", "chemin", "ch", "parc", "park",
    "pont", "metro", "station", "stn", "hopital", "hospital", "clsc", "centre", "center",
    "cegep", "college", "ecole", "polyvalente", "place", "square", "carre", "terminus", "arena",
    "ville", "quartier", "secteur", "riviere", "lac", "mont", "ile", "village", "pavillon",
    "residence", "hotel", "motel", "bar", "restaurant", "resto", "cafe", "club", "salle",
    "aeroport", "airport", "gare", "route", "autoroute", "municipalite", "region", "mrc",
    "paroisse", "eglise", "st", "ste", "saint", "sainte", "fondation", "foundation", "maison",
    "cite", "domaine", "plage", "cinema", "complexe", "carrefour", "galeries", "promenades",
})
PLACE_AFTER = frozenset({
    "street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "park", "square",
    "station", "metro", "hospital", "bridge", "foundation", "centre", "center", "high", "school",
    "college", "academy", "mall", "plaza", "drive", "lane", "crescent", "way", "terrace", "hall",
    "shelter", "clinic", "library", "church", "house", "village", "county", "island", "lake",
    "river", "valley", "heights", "hill", "hills", "beach", "bay", "creek", "point", "falls",
    "city", "town", "airport", "terminal", "tower", "building", "hotel", "motel", "inn", "court",
    "arena", "stadium", "market", "bus", "line", "team", "office", "program", "project",
})
TIME_AFTER_RE = re.compile(
    r"\s*,?\s*(?:hier|aujourd'hui|ce matin|ce soir|cet apres|cette nuit|cette semaine|tantot"
    r"|tout a l'heure|demain|la semaine|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
    r"|yesterday|today|tonight|this morning|this afternoon|last night|last week|earlier"
    r"|tomorrow|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b"
)
VERB_AFTER_RE = re.compile(
    r"\s*(?:m'|t'|l'|nous a|lui a|m a |a dit|a appele|a texte|a ecrit|a fugue|a quitte|a fait"
    r"|est parti|est revenu|est rentre|est arrive|est allee?|s'est|veut|voulait|dit |disait"
    r"|pense|said|says|told|texted|called|wants|wanted|went|left|ran|came|got|messaged|asked"
    r"|is missing|is with|is staying|was seen|has been)"
)
NUMBER_AFTER_RE = re.compile(r" \d(?!\d?\s*(?:ans|an|yo|y/o|years?)\b)")
AGE_AFTER_RE = re.compile(r"\s*,\s*\d{1,2}\s*(?:ans|an|yo|y/o|years?|,|\))")
COMM_BEFORE_RE = re.compile(
    r"(?:parle|jase|discute|texte|ecrit|vu|vue|rencontre|appele|talked|spoke|spoken|met|texted"
    r"|chatted|saw|seen|called)\s+(?:avec|a|with|to)?\s*$"
)
STRONG_CUE = "strong"
TITLE_CUE = "title"
RELATION_CUE = "relation"
WEAK_CUE = "weak"
CUE_RE = re.compile(
    r"(?P<strong>\bs'appel(?:le|ait|lent|leront|lera)|\bse nomm(?:e|ait)"
    r"|\bse fait (?:appeler|surnommer|nommer)|\bsurnomm(?:e|ee|es|ees|ent)"
    r"|\bpr[e]noms?(?: est| c'est| :|:| =)?"
    r"|\b(?:vrai |real |legal |full |first |last |son |sa |her |his |their |my |mon )"
    r"?(?:nom|name)(?: de famille)?(?: est| c'est| is|'s| :|:| =)"
    r"|\bnamed|\bcall(?:ed|s) (?:herself|himself|themselves|themself)|\bgo(?:es)? by"
    r"|\bknown as|\baka|\ba\.k\.a\.?|\bnicknamed|\balias)"
    r"|(?P<title>\bmmes?|\bmadame|\bmlle|\bmademoiselle|\bmonsieur|(?<![.\w])m\.|\bmrs?\.?"
    r"|\bms\.?|\bmiss|\bmister)"
    r"|(?P<relation>\b(?:sa|son|ma|mon|la|le|her|his|the|their|my|notre|leur|a|une|un)"
    r" (?:petite |petit |grande |grand |ex-|ex |older |younger |big |little |new |nouveau "
    r"|nouvelle |belle-|beau-|step)?"
    r"(?:soeur|sœur|frere|mere|pere|fille|fils|cousine|cousin|tante|oncle|chum|blonde|copain"
    r"|copine|amie?|boyfriend|girlfriend|bf|gf|sister|brother|mom|mother|dad|father|daughter"
    r"|son|aunt|uncle|friend|grand-mere|grandmother|grandma|grand-pere|grandfather|stepfather"
    r"|stepmother|stepdad|stepmom|pimp|proxenete|recruteur|recruiter|suspecte?|agresseur"
    r"|abuser|partner|conjointe?|niece|nephew|neveu|colocataire|roommate|coloc|youth|jeune"
    r"|fugueuse|fugueur|victime|victim|girl|fille|gars|guy|man|homme|femme|woman|client)s?"
    r"|\b(?:youth|client|cliente|victim|victime|girl|boy),)"
    r"|(?P<weak>\b(?:parle avec|parle a|spoke (?:to|with)|talked (?:to|with)|avec|with|to|chez"
    r"|pour|for|appelee?|vue?|saw|seen|met|contactee?|contacted|textee?|texted|called|call"
    r"|appelle|appeler|rejoint|told)\b)"
)
PLACE_PREPOSITIONS = frozenset({
    "a", "au", "aux", "de", "du", "des", "en", "vers", "dans", "pres", "sur", "entre", "par",
    "in", "at", "from", "to", "near", "of", "around", "toward", "towards", "through", "via",
    "into", "outside", "between", "and", "et", "ou", "or",
})
NO_CUE: tuple[str | None, str] = (None, "")
PERSON_WEAK_CUES = frozenset({"avec", "with", "chez"})
CUE_GAP_RE = re.compile(r"[\s«»\"“”',:(\[]{1,4}")


@dataclass(slots=True)
class Token:
    start: int
    end: int
    text: str
    folded: str
    parts: tuple[str, ...]
    cap: bool
    acronym: bool
    initial: bool
    possessive: bool
    elided: bool = False


_SKELETON_STEPS = (("ph", "f"), ("th", "t"), ("ck", "c"), ("k", "c"), ("y", "i"), ("z", "s"))


def skeleton(folded: str) -> str:
    """Spelling-variant key of a folded name: Naomy/Naomie, Jennyfer/Jennifer, Kassandra/Cassandra.

    ``ph``->``f``, ``k``->``c``, ``y``->``i``, ``z``->``s``, no ``h`` after the first letter,
    doubled letters single, no final ``e``.
    """
    s = folded
    for old, new in _SKELETON_STEPS:
        s = s.replace(old, new)
    s = s[:1] + s[1:].replace("h", "")
    out = []
    for ch in s:
        if not out or out[-1] != ch:
            out.append(ch)
    s = "".join(out)
    if len(s) > 3 and s.endswith("e"):
        s = s[:-1]
    return s


@dataclass(frozen=True, slots=True)
class NameLexicon:
    """Folded word sets used by :class:`NameDetector`."""

    first_names: frozenset[str]
    surnames: frozenset[str]
    ambiguous: frozenset[str]
    not_names: frozenset[str]
    stopwords: frozenset[str]
    skeletons: frozenset[str] = frozenset()

    def is_listed(self, token: Token) -> bool:
        f = token.folded
        if f in self.first_names or f in self.surnames:
            return True
        parts = token.parts
        return len(parts) > 1 and all(
            p in self.first_names or p in self.surnames for p in parts
        )

    def is_ambiguous(self, token: Token) -> bool:
        if token.folded in self.ambiguous:
            return True
        parts = token.parts
        return len(parts) > 1 and all(p in self.ambiguous for p in parts)


def _is_sentence_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and not text[i].isalnum() and text[i] not in SENTENCE_END and text[i] != ",":
        i -= 1
    if i < 0:
        return True
    if text[i] not in SENTENCE_END:
        return False
    if text[i] == ".":
        j = i - 1
        while j >= 0 and text[j].isalpha():
            j -= 1
        if fold(text[j + 1:i]) in ABBREVIATIONS_WITH_DOT:
            return False
    return True


def tokenize(text: str, folded: str | None = None) -> list[Token]:
    """Word tokens with hyphenated compounds kept whole and French elisions removed."""
    if folded is None:
        folded = fold(text)
    tokens: list[Token] = []
    for m in NAME_TOKEN_RE.finditer(text):
        start, end = m.span()
        low = folded[start:end]
        elided = False
        possessive = False
        if "'" in low:
            cut = low.index("'")
            if low[:cut] in ELISIONS and cut + 1 < len(low):
                start += cut + 1
                low = low[cut + 1:]
                elided = True
            if len(low) > 2 and low.endswith("'s"):
                low = low[:-2]
                end -= 2
                possessive = True
        if "-" in low or "'" in low:
            parts = tuple(p for p in PART_SPLIT_RE.split(low) if p)
            low = "-".join(parts)
        else:
            parts = (low,)
        raw = text[start:end]
        tokens.append(Token(
            start=start, end=end, text=raw, folded=low, parts=parts,
            cap=raw[:1].isupper(), acronym=len(raw) >= 2 and raw.isupper(),
            initial=False if elided else _is_sentence_start(text, start),
            possessive=possessive, elided=elided,
        ))
    return tokens


class _Ranges:
    """Fast overlap queries against a list of ``(start, end, ...)`` ranges."""

    def __init__(self, length: int, ranges: list[tuple[int, int]]) -> None:
        self._mask = bytearray(length + 1)
        for s, e in ranges:
            self._mask[s:e] = b"\x01" * (e - s)

    def overlaps(self, start: int, end: int) -> bool:
        return self._mask.find(1, start, end) != -1


class _Allowed:
    """Allowed-term spans (sorted, not overlapping) with lookup by token."""

    def __init__(self, spans: list[tuple[int, int, int]]) -> None:
        self.spans = spans
        self.starts = [s for s, _, _ in spans]

    def hit(self, start: int, end: int) -> tuple[int, int, int] | None:
        i = bisect.bisect_left(self.starts, end) - 1
        if i >= 0:
            span = self.spans[i]
            if span[1] > start:
                return span
        return None


class NameDetector:
    """Finds ``PERSON`` spans; see the module docstring for the rules."""

    def __init__(self, lexicon: NameLexicon) -> None:
        self.lex = lexicon

    def _cues(self, folded: str, tokens: list[Token]) -> dict[int, tuple[str, str]]:
        """Map token index -> (cue kind, cue words) for tokens right after a cue phrase."""
        starts = [t.start for t in tokens]
        cues: dict[int, tuple[str, str]] = {}
        for m in CUE_RE.finditer(folded):
            kind = m.lastgroup or WEAK_CUE
            k = bisect.bisect_left(starts, m.end())
            if k >= len(tokens):
                continue
            gap = folded[m.end():tokens[k].start]
            if gap and not CUE_GAP_RE.fullmatch(gap):
                continue
            if not gap and kind != TITLE_CUE:
                continue  # the cue must end a word
            if kind == WEAK_CUE and k in cues:
                continue
            cues[k] = (kind, m.group(0))
        return cues

    def detect(
        self,
        text: str,
        folded: str,
        blocked: list[tuple[int, int]],
        allowed: list[tuple[int, int, int]],
    ) -> list[Span]:
        """PERSON spans in ``text`` (``folded`` is ``fold(text)``), outside the ``blocked``
        ranges (spans of other kinds) and the ``allowed`` terms found by
        :meth:`bot.privacy.allowlist.AllowedTerms.find`."""
        tokens = tokenize(text, folded)
        if not tokens:
            return []
        cues = self._cues(folded, tokens)
        blocked_ranges = _Ranges(len(text), blocked)
        allowed_terms = _Allowed(sorted(allowed))
        spans: list[Span] = []
        k = 0
        n = len(tokens)
        while k < n:
            tok = tokens[k]
            if self._is_person(text, folded, tokens, k, cues.get(k, NO_CUE), blocked_ranges,
                               allowed_terms):
                end = tok.end
                j = k + 1
                while j < n and j <= k + 2 and self._extends(
                    text, tokens[j], end, blocked_ranges, allowed_terms
                ):
                    end = tokens[j].end
                    j += 1
                spans.append((tok.start, end, "PERSON"))
                k = j
                continue
            k += 1
        return spans

    def _extends(
        self,
        text: str,
        tok: Token,
        prev_end: int,
        blocked: _Ranges,
        allowed: _Allowed,
    ) -> bool:
        gap = text[prev_end:tok.start]
        if gap not in (" ", "  "):
            return False
        if blocked.overlaps(tok.start, tok.end):
            return False
        if allowed.hit(tok.start, tok.end) is not None:
            return False
        f = tok.folded
        lex = self.lex
        if f in lex.stopwords or f in lex.not_names or f in PLACE_AFTER:
            return False
        if tok.cap:
            return not (tok.acronym and len(f) <= 4 and f not in lex.surnames)
        return (f in lex.surnames or f in lex.first_names) and f not in lex.ambiguous

    def _is_person(
        self,
        text: str,
        folded: str,
        tokens: list[Token],
        k: int,
        cue_and_words: tuple[str | None, str],
        blocked: _Ranges,
        allowed: _Allowed,
    ) -> bool:
        cue, cue_words = cue_and_words
        tok = tokens[k]
        lex = self.lex
        f = tok.folded
        if len(f) < 2:
            return False
        if cue is None and not tok.cap and f not in lex.first_names and f not in lex.surnames \
                and len(tok.parts) == 1:
            return False  # fast path: most words are lower-case and not names
        if blocked.overlaps(tok.start, tok.end):
            return False
        # "will" is a function word, "I met Will" is a name
        is_stop = f in lex.stopwords and not (tok.cap and not tok.initial
                                              and f in lex.first_names)
        listed = lex.is_listed(tok)
        hit = allowed.hit(tok.start, tok.end)
        if hit is not None:
            s, e, words = hit
            one_word = words == 1 and s == tok.start and e == tok.end
            if not one_word:
                return False
            # A one-word place or organisation that is also a name (Alma, Chelsea, Maria):
            # a person only where the context says so.
            return self._person_context(text, folded, tokens, k, cue, cue_words, listed)

        if cue == STRONG_CUE:
            return not is_stop and (tok.cap or listed)
        if cue == TITLE_CUE:
            return tok.cap and not is_stop
        if f in lex.not_names or is_stop:
            return False
        if len(tok.parts) > 1 and tok.parts[0] in PLACE_PREFIXES:
            return False
        if cue == RELATION_CUE and tok.cap and not (tok.acronym and len(f) <= 4):
            return not self._place_context(tokens, k)
        if not listed:
            # A capitalised word in mid-sentence spelled like a listed name (Naomy, Jennyfer).
            return (
                tok.cap and not tok.initial and not tok.acronym and len(f) >= 5
                and len(tok.parts) == 1 and skeleton(f) in lex.skeletons
                and not NUMBER_AFTER_RE.match(folded, tok.end)
                and not self._place_context(tokens, k)
            )
        if tok.acronym and len(f) <= 4:
            return False
        if self._place_context(tokens, k):
            return False
        ambiguous = lex.is_ambiguous(tok)
        after = folded[tok.end:tok.end + 40]
        if tok.cap:
            if ambiguous and NUMBER_AFTER_RE.match(after):
                return False  # "Room 204", "Grade 10", "Route 117"
            if not tok.initial or not ambiguous:
                return True
            if tok.possessive or AGE_AFTER_RE.match(after) or VERB_AFTER_RE.match(after):
                return True
            nxt = tokens[k + 1] if k + 1 < len(tokens) else None
            return (
                nxt is not None
                and nxt.cap
                and text[tok.end:nxt.start] == " "
                and self._extends(text, nxt, tok.end, blocked, allowed)
                and (lex.is_listed(nxt) or not nxt.acronym)
            )
        if len(f) < 3:
            return False
        if not ambiguous:
            return True
        if cue in (WEAK_CUE, RELATION_CUE):
            before = folded[max(0, tok.start - 30):tok.start]
            if TIME_AFTER_RE.match(after) or COMM_BEFORE_RE.search(before):
                return True
        return tok.initial and bool(VERB_AFTER_RE.match(after))

    def _person_context(
        self,
        text: str,
        folded: str,
        tokens: list[Token],
        k: int,
        cue: str | None,
        cue_words: str,
        listed: bool,
    ) -> bool:
        tok = tokens[k]
        if cue in (STRONG_CUE, TITLE_CUE, RELATION_CUE):
            return tok.cap or listed
        if not listed or self._place_context(tokens, k) or tok.elided:
            return False  # "rue Alma", "d'Alma"
        before = folded[max(0, tok.start - 30):tok.start]
        if cue == WEAK_CUE and (cue_words in PERSON_WEAK_CUES or COMM_BEFORE_RE.search(before)):
            return True  # "avec Chelsea", "talked to Tracy"
        if k > 0 and tokens[k - 1].folded in PLACE_PREPOSITIONS:
            return False  # "à Alma", "in Chelsea"
        after = folded[tok.end:tok.end + 40]
        if tok.possessive or AGE_AFTER_RE.match(after) or VERB_AFTER_RE.match(after):
            return True
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        return (
            nxt is not None and nxt.cap and text[tok.end:nxt.start] == " "
            and nxt.folded in self.lex.surnames
        )

    @staticmethod
    def _place_context(tokens: list[Token], k: int) -> bool:
        if k > 0 and tokens[k - 1].folded in PLACE_BEFORE:
            return True
        return k + 1 < len(tokens) and tokens[k + 1].folded in PLACE_AFTER
