"""Where someone lives or hangs out, named without a civic number.

A street (``rue Saint-Denis``, ``boulevard Pie-IX``, ``avenue du Parc``, ``rang Saint-Joseph``,
``Sherbrooke Street east``; after "sur"/"on" also a hyphenated name, ``sur Jean-Talon``, or a
name with a compass point, ``on Notre-Dame west``) or an intersection (``coin Ontario et
Papineau``, ``au coin de Sainte-Catherine et Saint-Laurent``, ``corner of Decarie and
Jean-Talon``) is an ADDRESS when the sentence says that a person is there: a *whereabouts cue*
(habite, reste, dort, traîne, se tient, chez son…, on l'a vue, elle est souvent au, le gars la
garde, lives, stays, sleeps, hangs out, was seen, she's always at, gets picked up, keeps her,
her grandma's house, where she…, she walks) is nearer to the street than any *service cue*
(refuge, shelter, bureau, office, CLSC, clinique, rencontre, meeting, formation, ouvert, opens,
situé, located…). So ``le refuge est sur la rue Saint-Denis``, ``rencontre au CLSC boulevard
Pie-IX`` and ``notre bureau est au coin…`` pass, while ``elle dort chez son chum au coin Ontario
et Papineau`` is flagged. Groups ("les jeunes traînent…", "youth hang out…") are not a person.

:func:`locates_service` applies the same rule to civic addresses, more strictly: the address
of a service or meeting (``formation au 1000 rue Sherbrooke``) passes only when the service cue
is close and clearly nearer than any person or home cue.

Cues are looked for in the same sentence, within :data:`WINDOW` characters of the street.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable

from bot.privacy.fastre import word_alternation

Span = tuple[int, int, str]

WINDOW = 90
SENTENCE_BREAK = ".!?\n;"

_PARTICLE = r"(?:(?:de la|de l'|du|des|de|d') ?)?"
FR_TYPES = frozenset({"rue", "boulevard", "boul", "blvd", "bd", "avenue", "av", "ave", "chemin",
                      "ch", "rang", "montee", "route", "cote", "croissant", "ruelle", "impasse",
                      "place", "promenade", "terrasse", "allee", "carre", "square", "autoroute"})
_FR_TYPE_ORDER = ("rue", "boulevard", "boul", "blvd", "bd", "avenue", "av", "ave", "chemin", "ch",
                  "rang", "montee", "route", "cote", "croissant", "ruelle", "impasse", "place",
                  "promenade", "terrasse", "allee", "carre", "square", "autoroute")
# Regexes start on a letter (bot.privacy.fastre) so that a scan skips most of the text.
FR_STREET_RE = re.compile(
    rf"(?P<type>{word_alternation(_FR_TYPE_ORDER)})\.? {_PARTICLE}(?=[\w])"
)
EN_TYPES = frozenset({"street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "drive",
                      "dr", "lane", "crescent", "way", "court", "place", "terrace"})
CORNER_WORDS = frozenset({"coin", "angle", "intersection", "corner", "croisement"})
# Types that are also ordinary words ("une place", "la côte", "un croissant"): capitals only.
AMBIGUOUS_TYPES = frozenset({"route", "cote", "croissant", "ruelle", "impasse", "place",
                             "promenade", "terrasse", "allee", "carre", "square", "ch", "av",
                             "bd"})
EN_TYPE_RE = re.compile(
    "(?P<type>" + word_alternation(
        ("street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "drive", "dr", "lane",
         "crescent", "way", "court", "place", "terrace"), after=r"[\w.] ") + r")\b\.?"
)
EN_UNAMBIGUOUS = frozenset({"street", "avenue", "road", "boulevard", "blvd"})
INTERSECTION_RE = re.compile(
    word_alternation(("coin", "angle", "intersection", "corner", "croisement"))
    + r"(?: of| des rues| de la rue| de| du| des)?"
    r" (?P<a>[\w'.-]{2,30}(?: [\w'.-]{2,30}){0,2}) (?:et|and|&|/) "
    r"(?:(?:de |du |des )?(?:la )?(?:rue |boul(?:evard)?\.? |avenue |av\.? |street )?)"
    r"(?P<b>[\w'.-]{2,30})"
)
SAINT_STREET_RE = re.compile(
    word_alternation(("sur", "on")) + r" (?:la |the )?(?P<name>(?:saint|sainte|st|ste)-[\w'-]{2,30})"
)
# "on Notre-Dame west", "sur Ontario est", "sur Jean-Talon": a name with a compass point, or a
# hyphenated name with no article before it (regions take one: "sur la Côte-Nord").
BARE_STREET_RE = re.compile(
    word_alternation(("sur", "on")) + r" (?P<name>[\w'.]{2,30}(?:-[\w'.]{1,30}){0,3})"
    r"(?P<dir> (?:est|ouest|nord|sud|east|west|north|south)\b)?"
)
REGION_PARTS = frozenset({"rive", "cote", "bas", "haute", "basse", "vieux", "grand", "petite",
                          "petit", "sud", "nord", "est", "ouest"})
DIRECTION_RE = re.compile(
    r" (?:est|ouest|nord|sud|east|west|north|south|e|o|n|s|w)\b\.?(?=$|[\s,.;:!?)])"
)
TOKEN_RE = re.compile(r"[\w'-]+")
DIRECTION_HINT_RE = re.compile(r" (?:est|ouest|nord|sud|east|west|north|south)\b")

_SUBJECTS_FR = ("elle", "il", "elles", "ils")
_SUBJECTS_EN = ("she", "he", "they")
PERSON_CUES: tuple[str, ...] = (
    r"habit(?:e|es|ent|ait|aient|er|ee|ees)",
    r"r(?<!\ble r)(?<!\bdu r)(?<!\bau r)est(?:e|ait|er|ent)",
    r"vit", r"vivai\w*", r"vivent", r"vivre", r"dor(?:t|s|ment|mait|maient|mir)",
    r"c(?<!\bune c)(?<!\bla c)ouch(?:e|ait|er)",
    r"train(?:e|ait|er|ent)", r"se ten\w*", r"se tient", r"squatt\w*",
    r"l(?<!\bla l)og(?:e|eait|er)", r"demeur(?:e|ait|er)", r"hebergee?s?", r"creche\w*",
    r"se cach\w*", r"chez (?:son|sa|ses|un|une|elle|lui|eux|leur|des)",
    *(rf"{whose} (?:appart\w*|logement|chambre|piaule|place|maison|condo|sous-sol)"
      for whose in ("son", "sa", "ses", "leur")),
    *(rf"{home} (?:de|du|d') ?(?:sa|son|ses|leur)"
      for home in ("maison", r"appart\w*", "logement", "chambre")),
    r"fait le trottoir",
    # seen, met, picked up or kept somewhere: "on l'a vue sur", "le gars la garde"
    *(rf"{pronoun}(?:a|ai|as|avait|avaient|avons|avez|ont) (?:vue?s?|croisee?s?|apercue?s?"
      r"|ramassee?s?|embarquee?s?|deposee?s?|trouvee?s?|retrouvee?s?|pognee?s?)"
      for pronoun in ("l'", "la ", "le ", "les ")),
    *(rf"{who} (?:la |le |les |l')(?:voit|voyait|voient|croise|croisait|garde|gardait|tient"
      r"|tenait|loge|logeait|heberge|hebergeait|cache|cachait|enferme|enfermait|ramasse"
      r"|ramassait|embarque|embarquait)"
      for who in ("on", "je", "j'", "il", "elle", "ils", "elles", "qui", "gars", "pimp", "chum")),
    r"se fait (?:ramasser|embarquer|deposer|pogner)", r"c'?est la qu'(?:elle|il)",
    # "elle est souvent au coin", "she's always on", "he was at"
    *(rf"{who} (?:est|etait|sont|etaient|sera)(?: souvent| toujours| encore| rendue?s?"
      r"| surtout| juste| tout le temps)? (?:au|aux|a|sur|dans|pres|proche)"
      for who in _SUBJECTS_FR),
    *(rf"{who}(?:'s|'re| is| was| are| were)(?: often| always| usually| still| mostly| now"
      r"| back| probably)? (?:on|at|near|around|by)" for who in _SUBJECTS_EN),
    r"lives?", r"living", r"lived", r"stay(?:s|ing|ed)?", r"sleep(?:s|ing)?", r"slept",
    r"crash(?:es|ing|ed)?", r"hang(?:s|ing)? (?:out|around)", r"hung out", r"squat\w*",
    r"couch ?surf\w*", r"resides", r"resided", r"residing",
    *(rf"{who}(?: \w+)? (?:walks?|walked|walking|marche|marchait|marchent)(?![\w-])"
      for who in (*_SUBJECTS_EN, *_SUBJECTS_FR)),
    *(rf"{who}(?: \w+)? (?:works? (?:on|at|near)|working (?:on|at|near)"
      r"|travaille (?:sur|au|a|pres|coin))" for who in ("she", "he", "elle", "il")),
    *(rf"{whose} (?:[a-z]+ )?(?:[a-z]+'s|place|apartment|apt|house|home|room|trailer|basement"
      r"|condo)" for whose in ("her", "his", "their")),
    r"works the (?:corner|street)", r"on la voit", r"seen", r"spotted",
    r"gets? (?:picked up|dropped off)", r"got (?:picked up|dropped off)",
    r"getting (?:picked up|dropped off)", r"picks? (?:her|him|them) up",
    r"picked (?:her|him|them) up", r"drops? (?:her|him|them) off",
    r"dropped (?:her|him|them) off",
    *(rf"{verb} (?:her|him|them)"
      for verb in ("keeps?", "kept", "holds?", "held", "locks?", "locked")),
    r"where (?:she|he|they)\b",
)
PERSON_CUE_RE = re.compile(word_alternation(PERSON_CUES) + r"\b")
SERVICE_CUES: tuple[str, ...] = (
    "refuges?", "shelters?", "bureaux?", "offices?", "clsc", "cliniques?", "clinics?",
    "centres?(?!-ville)", "centers?", "organismes?", "organi[sz]ations?", "rencontres?",
    "meetings?", "formations?", "trainings?", r"ouvert\w*", "ouvre", "opens?", "situee?s?",
    "located", "locaux", "point de service", "siege", "headquarters", "maisons? des jeunes",
    "maisons? d'hebergement", "halte", "drop-?in", "hopital", "hospital", "cegep",
    "banque alimentaire", "food bank", "comptoir", "services?", "programmes?", "programs?",
    "rendez-vous", "rdv", "appointments?", "ateliers?", "workshops?", "reunions?",
    "conferences?", "ressources?", "resources?", "auberges?", "poste de police",
    "police station", "palais de justice", "courthouse", "tribunal", "agence", "agency",
    "succursale", "nos", "notre", "our", "we're", "we are", "nous sommes", "cavac", "calacs",
    "dpj", "cisss", "ciusss", "ymca", "ywca", "fondation", "foundation", "centre jeunesse",
)
SERVICE_CUE_RE = re.compile(word_alternation(SERVICE_CUES) + r"\b")


class Whereabouts:
    """Finds streets and intersections named as a person's whereabouts."""

    def __init__(self, stopwords: frozenset[str], common_words: Container[str]) -> None:
        self.stopwords = stopwords
        self.common = common_words

    def scan(self, text: str, folded: str, words: frozenset[str]) -> list[Span]:
        """``words``: the message's folded words, to skip the rules it cannot trigger."""
        places = list(self._streets(text, folded, words))
        if not places:
            return []
        return [(s, e, "ADDRESS") for s, e in places if _is_whereabouts(folded, s, e)]

    def _streets(
        self, text: str, folded: str, words: frozenset[str]
    ) -> Iterable[tuple[int, int]]:
        if words & FR_TYPES:
            for m in FR_STREET_RE.finditer(folded):
                lowercase_ok = m.group("type") not in AMBIGUOUS_TYPES
                end = self._name_end(text, folded, m.end(), lowercase_ok)
                if end is not None:
                    yield m.start(), _direction_end(folded, end)
        if words & EN_TYPES:
            for m in EN_TYPE_RE.finditer(folded):
                start = self._en_name_start(text, folded, m)
                if start is not None:
                    yield start, _direction_end(folded, _without_final_dot(folded, m.end()))
        if words & CORNER_WORDS:
            for m in INTERSECTION_RE.finditer(folded):
                a = self._name_end(text, folded, m.start("a"), False, loose=True)
                b = self._name_end(text, folded, m.start("b"), False, loose=True)
                if a is not None and b is not None and a <= m.end("a"):
                    yield m.start(), b
        if "sur" in words or "on" in words:
            yield from self._bare_streets(text, folded)

    def _bare_streets(self, text: str, folded: str) -> Iterable[tuple[int, int]]:
        """Streets named after "sur"/"on" without a street type (see :data:`BARE_STREET_RE`)."""
        if "st-" in folded or "ste-" in folded or "saint" in folded:
            for m in SAINT_STREET_RE.finditer(folded):
                yield m.start("name"), m.end("name")
        if "-" not in folded and not DIRECTION_HINT_RE.search(folded):
            return
        for m in BARE_STREET_RE.finditer(folded):
            if self._bare_street_name(text, m):
                yield m.start("name"), m.end()

    def _bare_street_name(self, text: str, m: re.Match[str]) -> bool:
        """Every part of the name capitalised (Pie-IX too), not a region ("Rive-Sud"); either
        hyphenated or a single word (not a function word) followed by a compass point."""
        parts = m.group("name").split("-")
        originals = text[m.start("name"):m.end("name")].split("-")
        if not all(p[:1].isupper() or p[:1].isdigit() for p in originals):
            return False
        if parts[0] in REGION_PARTS:
            return False
        if len(parts) > 1:
            return all(len(p) > 1 for p in parts)
        return m.group("dir") is not None and parts[0] not in self.stopwords

    def _name_end(
        self, text: str, folded: str, start: int, lowercase_ok: bool, *, loose: bool = False
    ) -> int | None:
        """End of a street name starting at ``start``: capitalised or hyphenated words (or an
        uncommon lower-case word after an unambiguous street type)."""
        last = None
        for i, m in enumerate(TOKEN_RE.finditer(folded, start, min(len(folded), start + 60))):
            if i and text[last:m.start()] != " ":
                break
            word = m.group(0)
            original = text[m.start():m.end()]
            capital = original[:1].isupper() or original[:1].isdigit()
            named = capital or ("-" in word.strip("-") and word not in self.stopwords)
            if i == 0:
                if word in self.stopwords:
                    return None
                uncommon = word not in self.common and len(word) > 2
                if not (named or (lowercase_ok or loose) and uncommon):
                    return None
                last = m.end()
                continue
            if (capital or "-" in word.strip("-")) and word not in self.stopwords:
                last = m.end()
                continue
            break
        return last

    def _en_name_start(self, text: str, folded: str, m: re.Match[str]) -> int | None:
        """Start of the name before "Street": capitalised words, or one uncommon word."""
        words = _words_before(folded, m.start(), 3)
        start = None
        for w in reversed(words):
            original = text[w.start():w.end()]
            if w.group(0) in self.stopwords:
                break
            if original[:1].isupper() or original[:1].isdigit():
                start = w.start()
                continue
            break
        if start is not None:
            return start
        last = words[-1].group(0) if words else ""
        if m.group("type") in EN_UNAMBIGUOUS and last not in self.common \
                and last not in self.stopwords and len(last) > 2 and not last.isdigit():
            return words[-1].start()
        return None


def _words_before(folded: str, pos: int, count: int) -> list[re.Match[str]]:
    """Up to ``count`` words ending right before ``pos``, separated by single spaces."""
    words = list(TOKEN_RE.finditer(folded, max(0, pos - 100), pos))
    out: list[re.Match[str]] = []
    edge = pos - 1  # the space before the street type
    for w in reversed(words):
        if w.end() != edge or len(out) == count:
            break
        out.append(w)
        edge = w.start() - 1
        if edge < 0 or folded[edge] != " ":
            break
    out.reverse()
    return out


def _direction_end(folded: str, end: int) -> int:
    d = DIRECTION_RE.match(folded, end)
    return _without_final_dot(folded, d.end()) if d else end


def _without_final_dot(folded: str, end: int) -> int:
    """Keep the dot of an abbreviation ("St.", "E."), not a full stop after a whole word."""
    if end and folded[end - 1] == ".":
        j = end - 1
        while j > 0 and folded[j - 1].isalpha():
            j -= 1
        if end - 1 - j > 2 and folded[j:end - 1] not in ("blvd", "boul", "cres"):
            return end - 1
    return end


def _sentence_bounds(folded: str, start: int, end: int) -> tuple[int, int]:
    lo = max(0, start - WINDOW)
    for i in range(start - 1, lo - 1, -1):
        if folded[i] in SENTENCE_BREAK and (folded[i] != "." or _ends_sentence(folded, i)):
            lo = i + 1
            break
    hi = min(len(folded), end + WINDOW)
    for i in range(end, hi):
        if folded[i] in SENTENCE_BREAK and (folded[i] != "." or _ends_sentence(folded, i)):
            hi = i
            break
    return lo, hi


def _ends_sentence(folded: str, i: int) -> bool:
    """A dot ends a sentence unless it closes an abbreviation ("boul.", "St.", "app.")."""
    j = i - 1
    while j >= 0 and folded[j].isalpha():
        j -= 1
    return folded[j + 1:i] not in ("boul", "st", "ste", "av", "ave", "app", "apt", "ch", "m",
                                   "mme", "dr", "rd", "blvd", "bd")


def _nearest(pattern: re.Pattern[str], folded: str, lo: int, hi: int, start: int,
             end: int) -> int | None:
    best = None
    for m in pattern.finditer(folded, lo, hi):
        if m.end() <= start:
            d = start - m.end()
        elif m.start() >= end:
            d = m.start() - end
        else:
            continue  # inside the street name itself ("rue du Refuge")
        best = d if best is None else min(best, d)
    return best


# A youth's home named around a civic address: "visite à domicile au ...", "chez la mère au ...".
HOME_CUE_RE = re.compile(word_alternation((
    "domicile", "home visit",
    "chez (?:elle|lui|eux|la jeune|le jeune|la mere|le pere|sa|son|ses|leur)",
    *(f"{whose} (?:home|address|family)" for whose in ("her", "his", "their")),
    *(f"{whose} (?:adresse|residence|famille)" for whose in ("son", "sa", "leur")),
    "adresse (?:de|du) (?:la|le|sa|son)",
)) + r"\b")
SERVICE_REACH = 40  # a service cue farther than this from a civic address does not count
SERVICE_MARGIN = 10  # ... nor one that is not this much nearer than every person cue


def locates_service(folded: str, start: int, end: int) -> bool:
    """Whether the civic address at ``folded[start:end]`` locates a service, an office or a
    meeting ("formation au 1000 rue Sherbrooke", "training at 1000 Sherbrooke St W"): a service
    cue in the same sentence, within :data:`SERVICE_REACH` characters and clearly nearer (by
    :data:`SERVICE_MARGIN`) than any person or home cue. "Elle habite au 4521 rue
    Saint-Hubert, près du refuge" is still a person's address."""
    lo, hi = _sentence_bounds(folded, start, end)
    service = _nearest(SERVICE_CUE_RE, folded, lo, hi, start, end)
    if service is None or service > SERVICE_REACH:
        return False
    for cue in (PERSON_CUE_RE, HOME_CUE_RE):
        person = _nearest(cue, folded, lo, hi, start, end)
        if person is not None and person < service + SERVICE_MARGIN:
            return False
    return True


# "Les jeunes traînent coin X et Y", "youth hang out near ...": a group, not one person.
GENERIC_SUBJECT_RE = re.compile(
    r"\b(?:les|des|plusieurs|beaucoup de|bcp de|certains|certaines|d'autres|nos|many|lots of"
    r"|a lot of|some|several|the|other|most|plein de) (?:jeunes|filles|gars|ados|adolescent\w*"
    r"|youths?|kids|girls|boys|teens|people|gens|personnes|clients?|clientes)\b"
    # a bare plural subject: "youth hang out on ...", "jeunes traînent sur ..."
    r"|(?:^|[.!?;,]\s{0,3})(?:(?:jeunes|ados|youths|kids|teens|girls) (?!(?:est|a)\b)"
    r"|youth (?!\w{1,20}s\b))\w"
)


def _generic(folded: str, lo: int, start: int) -> bool:
    return GENERIC_SUBJECT_RE.search(folded, max(lo, start - 60), start) is not None


def _is_whereabouts(folded: str, start: int, end: int) -> bool:
    lo, hi = _sentence_bounds(folded, start, end)
    if _generic(folded, lo, start):
        return False
    person = _nearest(PERSON_CUE_RE, folded, lo, hi, start, end)
    if person is None:
        return False
    service = _nearest(SERVICE_CUE_RE, folded, lo, hi, start, end)
    return service is None or person < service
