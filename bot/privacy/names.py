"""Person names: a first-name and surname list, cue phrases and context.

How a word becomes a ``PERSON`` span, in order:

1. a *strong cue* before it ("s'appelle", "se fait appeler", "her name is", "named",
   "goes by", "known as", and nicknames: "on l'appelle", "surnommée", "everyone calls her",
   "son surnom c'est"; a nickname cue may be followed by an article: "on l'appelle la Puce")
   flags the next capitalised word, or a listed name in lower case;
2. a *title* (Mme, M., Mr, Mrs, Ms, Mlle) flags the next capitalised word;
3. a *relationship* ("sa sœur", "her boyfriend", "le père,") flags the next capitalised word;
4. otherwise the word must be in the name lists, and then:
   - capitalised in mid-sentence: flagged;
   - capitalised at the start of a sentence: flagged, unless it is also a common word
     ("Mark the file", "Victoire!", "Hope this helps"), which needs a following surname, a
     possessive, an age ("Rose, 15 ans"), a verb of action ("Grace m'a dit"), something only
     a person does ("Savannah missed court", "Paris is refusing to talk"), where the person is
     ("Marie est chez son chum") or a capitalised word then a person-verb ("Savannah Dorval
     missed court": a surname that is also a place);
   - in lower case: flagged if it is not a common word ("jessica", "maïka"); a common word
     ("maxime", "mélodie") needs a cue: "avec maxime hier", "parlé avec mélodie",
     "maxime m'a texté".
5. a capitalised word that no list knows (Nivaaq, Kervens, an invented spelling) and that is
   not a frequent word, a stopword, a month, a place word or an acronym is a name when a
   person-verb follows it ("est arrivée", "a rappelé", "didn't show up", "ran away") or, in
   mid-sentence, a person cue precedes it ("avec", "chez", "parlé à", "talked to"); colloquial
   French drops the "ne" ("Fedna a pas dormi"). A name written with a short capitalised prefix
   and an apostrophe (Ma'Kayla, De'Andre) is read by its last part.

Words inside an allowed term (organisation, helpline, place of the gazetteer) are never flagged
from the lists; an explicit strong cue or title overrides a one-word place ("Mme Alma"), and so
does, for a place that is also a listed first name, something only a person does ("Chelsea
didn't come back", "Alma is 15") or a full name before a person-verb ("Maria Laval a appelé").
Words right after a place word ("rue", "métro", "station") or before one ("Street", "Park") are
places, not people.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Container
from dataclasses import dataclass

from bot.privacy.fastre import keyed_word_alternation, kind_of
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
# What a person does: an unknown capitalised word right before one of these is taken as a name
# ("Nivaaq est arrivée hier", "Kervens a rappelé", "Oumou didn't show up").
PERSON_VERB_AFTER_RE = re.compile(
    r" (?:est (?:arrivee?|partie?|revenue?|rentree?|allee?|venue?|passee?|disparue?|retournee?"
    r"|sortie?|repartie?|introuvable|en fugue|enceinte|hospitalisee?|placee?|absente?"
    r"|malade|(?:pas|plus|jamais) (?:rentree?|venue?|arrivee?|revenue?|allee?|passee?))"
    r"|n'est (?:pas|plus|jamais) (?:rentree?|venue?|arrivee?|revenue?|allee?|passee?|la)"
    r"|a (?:rappele|appele|texte|ecrit|fugue|manque|quitte|disparu|dit|demande|refuse|accepte"
    r"|annule|recontacte|contacte|repondu|fait une fugue|peur|(?:eu )?\d{1,2} ans"
    r"|ete (?:vue?|retrouvee?|arretee?|placee?|hospitalisee?|recrutee?|agressee?))"
    r"|(?:n')?a (?:pas|jamais|plus) (?:rappele|appele|repondu|texte|dormi|mange|voulu"
    r"|couche|donne|ecrit|vu|voulu|dit)"
    r"|(?:is refusing|refuses to|refused to|won't|doesn't|cried|cries|is crying|pleurait"
    r"|disclosed|confided|s'est confiee?)"
    r"|(?:ne )?s'est (?:pas )?(?:presentee?|pointee?|sauvee?|enfuie?|confiee?|fait)"
    r"|(?:m'|nous |lui |t')a (?:dit|appele|texte|ecrit|rappele|contacte|raconte|demande)"
    r"|(?:ne )?(?:repond|rappelle|rentre|mange|dort) (?:pas|plus|jamais)"
    r"|veut|voulait|dort|pleure|fugue|consomme|se prostitue|vit|habite|reste chez"
    r"|called|texted|messaged|emailed|ran away|ran off|took off|is missing|went missing"
    r"|was missing|didn't|did not|never (?:showed|came|called)|showed up|came (?:by|back|in)"
    r"|left|said|told|asked|wants|is (?:staying|sleeping|pregnant|scared|afraid|safe"
    r"|with|back|gone|using|\d{1,2}(?! ?(?:km|kilo\w*|mi|miles?|min\w*|h|hours?|hrs?"
    r"|heures?|metres?|meters?|%|\$|degre\w*|\d)))"
    r"|was (?:seen|found|picked|arrested|placed|recruited)"
    r"|has (?:been|not|run)|hasn't|got (?:picked|arrested|placed)|no-showed|skipped|missed"
    r"|turned \d|'s (?:\d{1,2}|missing|back|staying|pregnant)|lives|stays)\b"
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
_LINK = r"(?: est| c'est| is|'s| :|:| =)"
STRONG_ALTERNATIVES: tuple[str, ...] = (
    r"s'appel(?:le|ait|lent|leront|lera)", r"se nomm(?:e|ait)",
    r"se fait (?:appeler|surnommer|nommer)", r"surnomm(?:ees|ee|es|ent|e)",
    *(rf"{who} (?:l'|la |le )(?:appel(?:le|lent|ait|aient)|surnomm(?:e|ent|ait))"
      for who in ("on", "tout le monde", "tlm", "ils", "elles", "les gars", "ses amis",
                  "ses amies")),
    *(rf"{who} call(?:s|ed)? (?:her|him|them)"
      for who in ("they", "everyone", "everybody", "people", "the girls", "the guys",
                  "her friends", "his friends")),
    *(rf"{whose} (?:surnom|nickname|street name|nom de rue){_LINK}?"
      for whose in ("son", "sa", "her", "his", "their")),
    r"surnom ?:", r"nickname ?:", r"sous le nom de", r"under the name(?: of)?", r"passe pour",
    r"pose as", r"poses as", rf"pr[e]noms?{_LINK}?",
    *(rf"{which} (?:nom|name)(?: de famille)?{_LINK}"
      for which in ("vrai", "real", "legal", "full", "first", "last", "son", "sa", "her", "his",
                    "their", "my", "mon")),
    rf"nom(?: de famille)?{_LINK}", rf"name(?: de famille)?{_LINK}",
    r"named", r"call(?:ed|s) (?:herself|himself|themselves|themself)", r"go(?:es)? by",
    r"known as", r"aka", r"a\.k\.a\.?", r"nicknamed", r"alias",
)
KIN = (
    r" (?:petite |petit |grande |grand |ex-|ex |older |younger |big |little |new |nouveau "
    r"|nouvelle |belle-|beau-|step)?"
    r"(?:soeur|sœur|frere|mere|pere|fille|fils|cousine|cousin|tante|oncle|chum|blonde|copain"
    r"|copine|amie?|boyfriend|girlfriend|bf|gf|sister|brother|mom|mother|dad|father|daughter"
    r"|son|aunt|uncle|friend|grand-mere|grandmother|grandma|grand-pere|grandfather|stepfather"
    r"|stepmother|stepdad|stepmom|pimp|proxenete|recruteur|recruiter|suspecte?|agresseur"
    r"|abuser|partner|conjointe?|niece|nephew|neveu|colocataire|roommate|coloc|youth|jeune"
    r"|fugueuse|fugueur|victime|victim|girl|fille|gars|guy|man|homme|femme|woman|client)s?"
)
DETERMINERS = ("sa", "son", "ma", "mon", "la", "le", "her", "his", "the", "their", "my", "notre",
               "leur", "a", "une", "un")
WEAK_ALTERNATIVES = (
    "parle avec", "parle a", "spoke (?:to|with)", "talked (?:to|with)", "avec", "with", "to",
    "chez", "pour", "for", "appelee?", "vue?", "saw", "seen", "met", "contactee?", "contacted",
    "textee?", "texted", "called", "call", "appelle", "appeler", "rejoint", "told",
)


TITLE_ALTERNATIVES = ("mmes?", "madame", "mlle", "mademoiselle", "monsieur", r"m(?<!\.m)\.",
                      r"mrs?\.?", r"ms\.?", "miss", "mister")
LABELS = ("youth", "client", "cliente", "victim", "victime", "girl", "boy")


@functools.cache
def _cue_re() -> re.Pattern[str]:
    """All cue phrases in one pattern (built on first use); ``kind_of(m.lastgroup)`` is the
    kind. Alternatives start with a letter (see :mod:`bot.privacy.fastre`), so a scan is cheap;
    at one position the most telling kind is tried first."""
    return re.compile(keyed_word_alternation((
        (STRONG_CUE, STRONG_ALTERNATIVES, ""),
        (TITLE_CUE, TITLE_ALTERNATIVES, ""),
        (RELATION_CUE, DETERMINERS, KIN),
        (RELATION_CUE, LABELS, ","),
        (WEAK_CUE, WEAK_ALTERNATIVES, r"\b"),
    )))


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
    initial: bool | None  # at the start of a sentence; None until asked (see _initial)
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
    common_words: Container[str] = frozenset()

    def is_listed(self, token: Token) -> bool:
        f = token.folded
        if f in self.first_names or f in self.surnames:
            return True
        parts = token.parts
        return len(parts) > 1 and all(
            p in self.first_names or p in self.surnames for p in parts
        )

    def is_listed_word(self, word: str) -> bool:
        """A folded word in the first-name or surname list."""
        return word in self.first_names or word in self.surnames

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


def _initial(text: str, tok: Token) -> bool:
    """Whether ``tok`` starts a sentence; computed on first use, since most tokens never ask."""
    if tok.initial is None:
        tok.initial = _is_sentence_start(text, tok.start)
    return tok.initial


def tokenize(text: str, folded: str | None = None) -> list[Token]:
    """Word tokens with hyphenated compounds kept whole and French elisions removed."""
    if folded is None:
        folded = fold(text)
    tokens: list[Token] = []
    append = tokens.append
    new = Token
    for m in NAME_TOKEN_RE.finditer(text):
        start, end = m.span()
        low = folded[start:end]
        if "'" in low or "-" in low:
            append(_compound_token(text, start, end, low))
            continue
        raw = m.group()
        cap = raw[0].isupper()
        append(new(start, end, raw, low, (low,), cap, cap and len(raw) >= 2 and raw.isupper(),
                   None, False, False))
    return tokens


def _compound_token(text: str, start: int, end: int, low: str) -> Token:
    """A token holding an apostrophe or a hyphen: elision cut off ("l'Alma"), possessive
    noted ("Kayla's"), parts split ("Marie-Ève")."""
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
    return Token(start, end, raw, low, parts, raw[:1].isupper(),
                 len(raw) >= 2 and raw.isupper(), False if elided else None, possessive, elided)


# "Ma'Kayla", "De'Andre", "Ja'Nya": a short capitalised prefix, an apostrophe, a capitalised name.
PREFIXED_NAME_RE = re.compile(r"[A-ZÀ-Ý][a-zà-ÿ]{0,2}['’][A-ZÀ-Ý][a-zà-ÿ]{2,30}")


def _prefixed(tok: Token) -> bool:
    """A name written with a prefix and an apostrophe (the prefix is not a word of its own)."""
    return len(tok.parts) == 2 and PREFIXED_NAME_RE.fullmatch(tok.text) is not None


NICKNAME_CUE_RE = re.compile(r"l'appel|la appel|le appel|surnom|call|go|known|aka|nickname")
NICKNAME_ARTICLES = frozenset({"la", "le", "the", "lil", "ti"})


def _after_nickname_article(
    folded: str, tokens: list[Token], k: int, kind: str, cue: str
) -> int:
    """``on l'appelle la Puce``, ``they call her the Princess``: a nickname cue may be
    followed by an article; the cue then applies to the capitalised word after it."""
    if kind != STRONG_CUE or tokens[k].folded not in NICKNAME_ARTICLES or k + 1 >= len(tokens):
        return k
    nxt = tokens[k + 1]
    if nxt.cap and folded[tokens[k].end:nxt.start] == " " and NICKNAME_CUE_RE.search(cue):
        return k + 1
    return k


# What only a person does (a town or an organisation "refuses a transfer" or "doesn't have
# beds", it does not "refuse to talk" or "come back"): for words that are also places or words.
HUMAN_ACT_AFTER_RE = re.compile(
    r" (?:is \d{1,2}(?! ?(?:km|kilo\w*|mi|miles?|min\w*|h|hours?|hrs?|metres?|meters?|%|\d))"
    r"|'s \d{1,2}(?! ?(?:km|min\w*|h|hours?|%|\d))|a \d{1,2} ans|a eu \d{1,2} ans"
    r"|(?:is|'s|was) (?:pregnant|scared|afraid|crying|missing|using|high|staying|sleeping)"
    r"|(?:didn't|did not|won't|will not|doesn't|does not|refuses to|refused to|is refusing to)"
    r" (?:come|show|call|answer|talk|speak|eat|sleep|go back|return|want|wanna|say)"
    r"|ran away|ran off|took off|went missing|never (?:came|showed|called)|showed up"
    r"|got (?:arrested|picked up)|missed (?:court|school|class|curfew|her|his|an?|the)"
    r"|est (?:en fugue|enceinte|disparue?|introuvable|hospitalisee?|partie?|revenue?|rentree?)"
    r"|(?:ne |n')?(?:repond|rentre|mange|dort|parle) (?:pas|plus|jamais)"
    r"|n'est (?:pas|plus|jamais) (?:rentree?|revenue?)|a (?:fugue|disparu)"
    r"|(?:n')?a (?:pas|jamais|plus) (?:dormi|mange|repondu|rappele|voulu parler)"
    r"|refuse de (?:parler|manger|rentrer|revenir|repondre)|pleure|se prostitue|consomme)\b"
)


# Where someone is: after a listed name that is also a word ("Marie est au refuge", "Rose is
# at her aunt's"), not after a place (a town "est au Lac-Saint-Jean").
PRESENCE_AFTER_RE = re.compile(
    r" (?:est|etait) (?:encore |toujours |rendue? |pas )?(?:chez|avec|en fugue|(?:au|a l')"
    r" ?(?:refuge|foyer|hopital|centre|poste|motel|hotel|urgence))\b"
    r"|(?: is|'s| was) (?:still |now )?(?:at|with) (?:her|his|my)\b"
)


def _acts(folded: str, end: int) -> bool:
    """An age or a person's action right after ``folded[:end]``: "Alma, 15 ans",
    "Chelsea didn't come back", "Alma is 15", "Paris is refusing to talk"."""
    after = folded[end:end + 40]
    return bool(AGE_AFTER_RE.match(after) or VERB_AFTER_RE.match(after)
                or HUMAN_ACT_AFTER_RE.match(folded, end))


def _full_name_acts(text: str, folded: str, tok: Token, nxt: Token) -> bool:
    """A listed first name, then a capitalised word, then a person's action: "Maria Laval a
    appelé", "Savannah Dorval missed court" (surnames that are also places)."""
    return (
        nxt.cap and not nxt.acronym and text[tok.end:nxt.start] == " "
        and len(nxt.parts) <= 2 and bool(PERSON_VERB_AFTER_RE.match(folded, nxt.end))
    )


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
        for m in _cue_re().finditer(folded):
            kind = kind_of(m.lastgroup)
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
            k = _after_nickname_article(folded, tokens, k, kind, m.group(0))
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
        first_names, surnames = self.lex.first_names, self.lex.surnames
        k = 0
        n = len(tokens)
        while k < n:
            tok = tokens[k]
            if not tok.cap and tok.folded not in first_names and tok.folded not in surnames \
                    and (len(tok.parts) == 1 or not self.lex.is_listed(tok)):
                k += 1  # a lower-case word that no list holds is never a name, cue or not
                continue
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
        is_stop = f in lex.stopwords and not (tok.cap and not _initial(text, tok)
                                              and f in lex.first_names)
        listed = lex.is_listed(tok) or _prefixed(tok) and lex.is_listed_word(tok.parts[-1])
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
            if (
                tok.cap and not _initial(text, tok) and not tok.acronym and len(f) >= 5
                and len(tok.parts) == 1 and skeleton(f) in lex.skeletons
                and not NUMBER_AFTER_RE.match(folded, tok.end)
                and not self._place_context(tokens, k)
            ):
                return True
            return self._unknown_person(text, folded, tokens, k, cue, cue_words)
        if tok.acronym and len(f) <= 4:
            return False
        if self._place_context(tokens, k):
            return False
        ambiguous = lex.is_ambiguous(tok)
        after = folded[tok.end:tok.end + 40]
        if tok.cap:
            if ambiguous and NUMBER_AFTER_RE.match(after):
                return False  # "Room 204", "Grade 10", "Route 117"
            if not _initial(text, tok) or not ambiguous:
                return True
            if tok.possessive or _acts(folded, tok.end) or PRESENCE_AFTER_RE.match(folded, tok.end):
                return True
            nxt = tokens[k + 1] if k + 1 < len(tokens) else None
            return nxt is not None and (
                nxt.cap
                and text[tok.end:nxt.start] == " "
                and self._extends(text, nxt, tok.end, blocked, allowed)
                and (lex.is_listed(nxt) or not nxt.acronym)
                or _full_name_acts(text, folded, tok, nxt)
            )
        if len(f) < 3:
            return False
        if not ambiguous:
            return True
        if cue in (WEAK_CUE, RELATION_CUE):
            before = folded[max(0, tok.start - 30):tok.start]
            if TIME_AFTER_RE.match(after) or COMM_BEFORE_RE.search(before):
                return True
        return _initial(text, tok) and bool(VERB_AFTER_RE.match(after))

    def _unknown_person(
        self, text: str, folded: str, tokens: list[Token], k: int, cue: str | None,
        cue_words: str,
    ) -> bool:
        """A capitalised word no list knows (Nivaaq, Kervens, Oumou, an invented spelling) is a
        name when the sentence is about a person: a person-verb follows ("est arrivée",
        "a rappelé", "didn't show up") or a person cue comes before ("avec", "chez",
        "parlé à", "talked to"). Ordinary words (the frequent-word list), places, months,
        organisations and acronyms are never taken."""
        tok = tokens[k]
        if not tok.cap or tok.acronym or len(tok.folded) < 3 or tok.elided:
            return False
        lex = self.lex
        for part in tok.parts[-1:] if _prefixed(tok) else tok.parts:
            if part in lex.common_words or part in lex.stopwords or part in lex.not_names \
                    or part in PLACE_PREFIXES or len(part) < 2:
                return False
        if self._place_context(tokens, k):
            return False
        if PERSON_VERB_AFTER_RE.match(folded, tok.end):
            return True
        if cue != WEAK_CUE or _initial(text, tok):
            return False
        before = folded[max(0, tok.start - 30):tok.start]
        return cue_words in PERSON_WEAK_CUES or COMM_BEFORE_RE.search(before) is not None

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
        if tok.possessive or _acts(folded, tok.end):
            return True
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        return nxt is not None and (
            nxt.cap and text[tok.end:nxt.start] == " " and nxt.folded in self.lex.surnames
            or _full_name_acts(text, folded, tok, nxt)
        )

    @staticmethod
    def _place_context(tokens: list[Token], k: int) -> bool:
        if k > 0 and tokens[k - 1].folded in PLACE_BEFORE:
            return True
        return k + 1 < len(tokens) and tokens[k + 1].folded in PLACE_AFTER
