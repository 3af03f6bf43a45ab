"""Generate sample_directory.json: an INVENTED partner directory in HSDS 3.0 JSON.

Run: python knowledge/data/make_sample.py   (rewrites knowledge/data/sample_directory.json)

Everything here is fictional (names, addresses, people, numbers: 555-01xx), except the
Canadian Human Trafficking Hotline, 1-833-900-1010, which is real and public. Ids are uuid5
of stable keys, so regenerating gives the same ids.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

OUT = Path(__file__).with_name("sample_directory.json")
NS = uuid.UUID("6f1c1d2e-5b0a-4c1e-9a57-52656c616973")  # fixed namespace for this sample
GENERATED_AT = datetime(2025, 6, 2, 12, 0, tzinfo=timezone(timedelta(hours=-4)))
MARK = "[Données fictives / Sample data]"
HOTLINE = "1-833-900-1010"

REGION_FR = {
    "01": "Bas-Saint-Laurent", "02": "Saguenay–Lac-Saint-Jean", "03": "Capitale-Nationale",
    "04": "Mauricie", "05": "Estrie", "06": "Montréal", "07": "Outaouais",
    "08": "Abitibi-Témiscamingue", "09": "Côte-Nord", "10": "Nord-du-Québec",
    "11": "Gaspésie–Îles-de-la-Madeleine", "12": "Chaudière-Appalaches", "13": "Laval",
    "14": "Lanaudière", "15": "Laurentides", "16": "Montérégie", "17": "Centre-du-Québec",
}
AREA = {"01": "418", "02": "418", "03": "418", "04": "819", "05": "819", "06": "514",
        "07": "819", "08": "819", "09": "418", "10": "819", "11": "418", "12": "418",
        "13": "450", "14": "450", "15": "450", "16": "450", "17": "819", "*": "1-888"}
LANG_NAMES = {"fr": "Français", "en": "English", "es": "Español", "ht": "Kreyòl ayisyen",
              "cr": "Cree / Eeyou", "iu": "Inuktitut", "moe": "Innu-aimun", "atj": "Atikamekw",
              "alq": "Anishinaabemowin (algonquin)", "mic": "Mi'gmaq", "moh": "Kanien'kéha (mohawk)",
              "ar": "العربية / Arabe"}
CAT_FR = {
    "hebergement-urgence-jeunesse": "Hébergement d'urgence jeunesse",
    "hebergement-transition": "Hébergement de transition",
    "dpj": "Protection de la jeunesse (DPJ)",
    "cavac": "CAVAC – aide aux victimes d'actes criminels",
    "ivac": "IVAC – indemnisation des victimes",
    "calacs": "CALACS – aide contre les agressions sexuelles",
    "centre-designe": "Centre désigné (trousse médicolégale)",
    "sante-sexuelle": "Santé sexuelle, clinique jeunesse, dépistage ITSS",
    "sante-mentale": "Santé mentale et crise",
    "dependances": "Dépendances, réduction des méfaits",
    "aide-juridique": "Aide juridique",
    "police-eilp": "Police – lutte contre le proxénétisme",
    "travail-de-rue": "Travail de rue",
    "sortie-exploitation": "Sortie de l'exploitation sexuelle",
    "autochtone": "Services autochtones",
    "lignes-aide": "Lignes d'aide 24/7",
    "transition-18": "Transition à la vie adulte (18+)",
}
TEMPLATES = {  # category: (French, English) description; {ages} filled in
    "hebergement-urgence-jeunesse": (
        "Hébergement d'urgence pour jeunes de {ages} : accueil sans rendez-vous, repas, lit, intervention et accompagnement vers les ressources.",
        "Emergency shelter for youth aged {ages}: walk-in intake, meals, a bed, counselling and accompaniment to other services."),
    "hebergement-transition": (
        "Appartements supervisés et hébergement de transition pour jeunes de {ages}, avec suivi individuel et soutien au logement.",
        "Supervised apartments and transitional housing for youth aged {ages}, with individual follow-up and housing support."),
    "dpj": (
        "Réception et traitement des signalements, urgence sociale jeunesse, protection des jeunes de {ages}.",
        "Intake of reports (signalements), youth social emergency, protection of young people aged {ages}."),
    "cavac": (
        "Aide aux victimes d'actes criminels : information sur les droits, accompagnement à la police et au tribunal, soutien post-traumatique ({ages}).",
        "Crime victim assistance: information on rights, accompaniment to police and court, post-trauma support ({ages})."),
    "ivac": (
        "Information et aide pour les demandes d'indemnisation des victimes d'actes criminels (IVAC).",
        "Information and help with crime victim compensation (IVAC) applications."),
    "calacs": (
        "Centre d'aide et de lutte contre les agressions à caractère sexuel : écoute, suivi individuel et de groupe, accompagnement ({ages}).",
        "Sexual assault centre: listening, individual and group support, accompaniment ({ages})."),
    "centre-designe": (
        "Centre désigné pour l'intervention médicosociale auprès des victimes d'agression sexuelle : soins, trousse médicolégale ou sociomédicale, 24 h/24.",
        "Designated centre for victims of sexual assault: medical care, forensic or sociomedical kit, 24 hours a day."),
    "sante-sexuelle": (
        "Clinique jeunesse : dépistage ITSS, contraception, test de grossesse, pilule du lendemain, sans carte d'assurance maladie si nécessaire ({ages}).",
        "Youth clinic: STBBI testing, contraception, pregnancy tests, emergency contraception, no health card needed if necessary ({ages})."),
    "sante-mentale": (
        "Intervention de crise et santé mentale : évaluation, hébergement de crise de courte durée, suivi ({ages}).",
        "Crisis intervention and mental health: assessment, short crisis stays, follow-up ({ages})."),
    "dependances": (
        "Dépendances et réduction des méfaits : naloxone, matériel de consommation, évaluation, référence en désintoxication ({ages}).",
        "Substance use and harm reduction: naloxone, supplies, assessment, referral to detox ({ages})."),
    "aide-juridique": (
        "Conseils juridiques gratuits et représentation pour les jeunes ({ages}) : chambre de la jeunesse, LSJPA, casier judiciaire, droits.",
        "Free legal advice and representation for youth ({ages}): youth court, YCJA, criminal records, rights."),
    "police-eilp": (
        "Équipe policière spécialisée en exploitation sexuelle et proxénétisme : plainte, enquête, protection des victimes mineures.",
        "Specialised police team on sexual exploitation and pimping: complaints, investigation, protection of underage victims."),
    "travail-de-rue": (
        "Travail de rue et de milieu : présence dans les parcs, métros et lieux de rencontre, accompagnement, dépannage ({ages}).",
        "Street outreach: presence in parks, metro stations and hangouts, accompaniment, emergency help ({ages})."),
    "sortie-exploitation": (
        "Programme de sortie de l'exploitation sexuelle : intervention individuelle, accompagnement, groupe de soutien, sans jugement ({ages}).",
        "Programme for exiting sexual exploitation: one-on-one support, accompaniment, peer group, no judgement ({ages})."),
    "autochtone": (
        "Services culturellement sécurisants pour jeunes autochtones ({ages}) : accueil, accompagnement, liens avec la communauté et les aînés.",
        "Culturally safe services for Indigenous youth ({ages}): welcome, accompaniment, links with community and Elders."),
    "lignes-aide": (
        "Ligne d'aide confidentielle, gratuite, jour et nuit.",
        "Confidential, free helpline, day and night."),
    "transition-18": (
        "Accompagnement de la transition à la vie adulte (18 ans et plus) : logement, revenu, études, emploi ({ages}).",
        "Support for the transition to adulthood (18+): housing, income, school, work ({ages})."),
}
DAYS = "MO,TU,WE,TH,FR,SA,SU"
HOURS = {  # name: list of (byday, opens, closes, description fr)
    "24/7": [(DAYS, "00:00:00", "23:59:59", "24 h sur 24, 7 jours sur 7 / 24/7")],
    "weekday": [("MO,TU,WE,TH,FR", "09:00:00", "17:00:00", "Lundi au vendredi, 9 h à 17 h / Mon-Fri 9-5")],
    "weekday_late": [("MO,TU,WE,TH,FR", "09:00:00", "20:00:00", "Lundi au vendredi, 9 h à 20 h / Mon-Fri 9-8")],
    "evening": [("MO,TU,WE,TH,FR,SA", "16:00:00", "23:00:00", "Lundi au samedi, 16 h à 23 h / Mon-Sat 4-11 pm")],
    "overnight": [(DAYS, "20:00:00", "08:00:00", "Tous les soirs, 20 h à 8 h le lendemain / Nightly 8 pm-8 am")],
    "clinic": [("MO,TU,TH", "13:00:00", "19:00:00", "Lundi, mardi, jeudi 13 h-19 h"),
               ("WE", "09:00:00", "12:00:00", "Mercredi 9 h-12 h")],
}

_phone_seq: dict[str, int] = {}


def uid(*parts: object) -> str:
    return str(uuid.uuid5(NS, "/".join(str(p) for p in parts)))


def phone(region: str) -> str:
    area = AREA[region]
    n = _phone_seq.get(area, 100)
    _phone_seq[area] = n + 1
    if n > 199:
        raise ValueError(f"out of 555-01xx numbers for {area}")
    return f"{area}-555-0{n}"


def ages_text(lo: int | None, hi: int | None, lang: str) -> str:
    if lo is None and hi is None:
        return "tous âges" if lang == "fr" else "all ages"
    if hi is None:
        return f"{lo} ans et plus" if lang == "fr" else f"{lo} and over"
    if lo is None:
        return f"moins de {hi + 1} ans" if lang == "fr" else f"under {hi + 1}"
    return f"{lo} à {hi} ans" if lang == "fr" else f"{lo} to {hi}"


# --------------------------------------------------------------------------------- data
# Each organisation: key, name, name_en, region ("*" = province-wide), slug for e-mail/site,
# services: dicts with cats, name, name_en, ages, hours, langs, city, fsa, and optional
# regions, confidential, capacity (available, maximum, hours_ago), status, verified, note.
ORGS: list[dict] = []


def org(key, name, name_en, region, slug, desc_fr, desc_en, services):
    ORGS.append(dict(key=key, name=name, name_en=name_en, region=region, slug=slug,
                     desc_fr=desc_fr, desc_en=desc_en, services=services))


def s(cats, name, name_en, ages, hours, langs, city, fsa, **kw):
    return dict(cats=cats if isinstance(cats, list) else [cats], name=name, name_en=name_en,
                ages=ages, hours=hours, langs=langs, city=city, fsa=fsa, **kw)


def shelter(name, name_en, ages, city, fsa, cap, **kw):
    kw.setdefault("confidential", True)
    return s("hebergement-urgence-jeunesse", name, name_en, ages, "24/7", kw.pop("langs", ["fr"]),
             city, fsa, capacity=cap, **kw)


# Province-wide lines
org("hotline", "Ligne d'urgence canadienne contre la traite des personnes",
    "Canadian Human Trafficking Hotline", "*", None,
    "Ligne nationale confidentielle, 24/7, pour signaler un cas de traite de personnes ou obtenir de l'aide. "
    "(Ce service et son numéro sont réels et publics; le reste du fichier est fictif.)",
    "National confidential 24/7 line to report human trafficking or get help. "
    "(This service and its number are real and public; the rest of this file is invented.)",
    [s(["lignes-aide", "sortie-exploitation", "police-eilp"], "Ligne d'urgence canadienne contre la traite des personnes",
       "Canadian Human Trafficking Hotline", (None, None), "24/7", ["fr", "en", "es", "ar"], None, None,
       regions=["*"], real_phone=HOTLINE, verified=12)])
org("ligne-jeunes", "Ligne Jeunesse Écoute Québec (fictive)", "Youth Listening Line Québec (fictional)", "*",
    "ecoute-jeunes", "Ligne d'écoute provinciale pour les jeunes, par téléphone et texto.",
    "Province-wide listening line for youth, by phone and text.",
    [s(["lignes-aide", "sante-mentale"], "Ligne d'écoute jeunesse 24/7", "Youth helpline 24/7", (12, 25), "24/7",
       ["fr", "en"], None, None, regions=["*"], verified=20),
     s("sante-mentale", "Clavardage jeunesse (soirs)", "Youth chat (evenings)", (12, 25), "evening", ["fr", "en"],
       None, None, regions=["*"], verified=45)])
org("espoir", "Ligne Espoir 24/7 (fictive)", "Hope Line 24/7 (fictional)", "*", "ligne-espoir",
    "Ligne provinciale de prévention du suicide.", "Province-wide suicide prevention line.",
    [s(["sante-mentale", "lignes-aide"], "Prévention du suicide 24/7", "Suicide prevention 24/7", (None, None),
       "24/7", ["fr", "en"], None, None, regions=["*"], verified=8)])
org("sortir", "Réseau provincial Sortir du milieu (fictif)", "Leaving the Life Provincial Network (fictional)",
    "*", "sortir-du-milieu", "Réseau d'organismes qui accompagnent la sortie de l'exploitation sexuelle.",
    "Network of organisations supporting exit from sexual exploitation.",
    [s(["sortie-exploitation", "lignes-aide"], "Ligne Sortir du milieu", "Leaving the Life line", (14, 35),
       "weekday_late", ["fr", "en"], None, None, regions=["*"], verified=30)])
org("info-victimes", "Info-Aide Victimes Québec (fictif)", "Victim Info Québec (fictional)", "*",
    "info-victimes", "Information centralisée pour les victimes d'actes criminels.",
    "Central information for victims of crime.",
    [s("ivac", "Information IVAC et indemnisation", "IVAC and compensation information", (None, None),
       "weekday", ["fr", "en"], None, None, regions=["*"], verified=60),
     s(["aide-juridique", "lignes-aide"], "Ligne d'information juridique jeunesse", "Youth legal information line",
       (12, 25), "weekday_late", ["fr", "en"], None, None, regions=["*"], verified=90)])

# 01 Bas-Saint-Laurent
org("cisss-01", "CISSS fictif du Bas-Saint-Laurent", "Fictional Bas-Saint-Laurent health and social services centre",
    "01", "cisss-bsl", "Établissement public fictif de santé et de services sociaux.", "Fictional public health and social services body.",
    [s("dpj", "Protection de la jeunesse – urgence sociale", "Youth protection – social emergency", (0, 17), "24/7",
       ["fr"], "Rimouski", "G5L", regions=["01"], verified=15),
     s("centre-designe", "Centre désigné – Hôpital fictif de Rimouski", "Designated centre – fictional Rimouski hospital",
       (None, None), "24/7", ["fr", "en"], "Rimouski", "G5L", regions=["01"], verified=40)])
org("fanal", "Maison des jeunes Le Fanal (fictive)", "Le Fanal youth house (fictional)", "01", "le-fanal",
    "Maison d'hébergement et travail de rue au Bas-Saint-Laurent.", "Shelter and street outreach in Bas-Saint-Laurent.",
    [shelter("Hébergement jeunesse Le Fanal", "Le Fanal youth shelter", (12, 17), "Rivière-du-Loup", "G5R", (2, 6, 5),
             regions=["01"], verified=10),
     s("travail-de-rue", "Travail de rue Kamouraska–Rivière-du-Loup", "Street outreach Kamouraska–Rivière-du-Loup",
       (14, 25), "evening", ["fr"], "Rivière-du-Loup", "G5R", regions=["01"], verified=75)])

# 02 Saguenay–Lac-Saint-Jean
org("ciusss-02", "CIUSSS fictif du Saguenay–Lac-Saint-Jean", "Fictional Saguenay–Lac-Saint-Jean health centre", "02",
    "ciusss-slsj", "Établissement public fictif.", "Fictional public body.",
    [s("dpj", "DPJ Saguenay–Lac-Saint-Jean", "Youth protection Saguenay–Lac-Saint-Jean", (0, 17), "24/7", ["fr"],
       "Saguenay", "G7H", regions=["02"], verified=22),
     s("centre-designe", "Centre désigné – Hôpital fictif de Chicoutimi", "Designated centre – fictional Chicoutimi hospital",
       (None, None), "24/7", ["fr"], "Saguenay", "G7H", regions=["02"], verified=35),
     s("sante-sexuelle", "Clinique jeunesse d'Alma", "Alma youth clinic", (14, 24), "clinic", ["fr"], "Alma", "G8B",
       regions=["02"], verified=50)])
org("cran", "Auberge Le Cran (fictive)", "Auberge Le Cran (fictional)", "02", "auberge-le-cran",
    "Hébergement jeunesse et transition à Jonquière.", "Youth shelter and transition in Jonquière.",
    [shelter("Hébergement d'urgence Le Cran", "Le Cran emergency shelter", (12, 17), "Saguenay", "G7X", (0, 5, 30),
             regions=["02"], verified=14),
     s(["transition-18", "hebergement-transition"], "Appartements Le Cran 18+", "Le Cran 18+ apartments", (18, 25),
       "weekday", ["fr"], "Saguenay", "G7X", regions=["02"], capacity=(1, 4, 70), verified=100)])
org("nitassinan", "Centre d'amitié Nitassinan (fictif)", "Nitassinan Friendship Centre (fictional)", "02",
    "amitie-nitassinan", "Centre d'amitié autochtone fictif au Lac-Saint-Jean.", "Fictional Indigenous friendship centre in Lac-Saint-Jean.",
    [s("autochtone", "Accueil jeunesse autochtone Roberval", "Indigenous youth drop-in Roberval", (12, 30), "weekday_late",
       ["fr", "moe", "en"], "Roberval", "G8H", regions=["02", "09"], verified=28)])

# 03 Capitale-Nationale
org("ciusss-03", "CIUSSS fictif de la Capitale-Nationale", "Fictional Capitale-Nationale health centre", "03",
    "ciusss-cn", "Établissement public fictif.", "Fictional public body.",
    [s("dpj", "DPJ Capitale-Nationale – réception des signalements", "Youth protection Capitale-Nationale – intake",
       (0, 17), "24/7", ["fr", "en"], "Québec", "G1J", regions=["03"], verified=9),
     s("centre-designe", "Centre désigné – CHU fictif de Québec", "Designated centre – fictional Québec hospital",
       (None, None), "24/7", ["fr", "en"], "Québec", "G1J", regions=["03"], verified=33),
     s("sante-mentale", "Centre de crise fictif de Québec", "Fictional Québec crisis centre", (14, None), "24/7",
       ["fr"], "Québec", "G1K", regions=["03"], verified=18)])
org("gite-etoile", "Maison Gîte-Étoile jeunesse (fictive)", "Gîte-Étoile youth house (fictional)", "03", "gite-etoile",
    "Hébergement d'urgence et appartements supervisés à Québec.", "Emergency shelter and supervised apartments in Québec City.",
    [shelter("Gîte-Étoile – hébergement d'urgence 12-17", "Gîte-Étoile emergency shelter 12-17", (12, 17), "Québec",
             "G1L", (3, 10, 2), regions=["03"], verified=6),
     s("hebergement-transition", "Gîte-Étoile – appartements supervisés", "Gîte-Étoile supervised apartments", (17, 22),
       "weekday", ["fr"], "Québec", "G1L", regions=["03", "12"], confidential=True, capacity=(1, 6, 48), verified=41)])
org("tdr-03", "Travail de rue Haute-Ville (fictif)", "Haute-Ville Street Outreach (fictional)", "03", "tdr-haute-ville",
    "Organisme fictif de travail de rue et de réduction des méfaits.", "Fictional street outreach and harm reduction group.",
    [s("travail-de-rue", "Travailleurs de rue Saint-Roch–Limoilou", "Street workers Saint-Roch–Limoilou", (12, 30),
       "evening", ["fr"], "Québec", "G1K", regions=["03"], verified=12),
     s("dependances", "Halte réduction des méfaits", "Harm reduction drop-in", (14, None), "overnight", ["fr", "en"],
       "Québec", "G1K", regions=["03"], verified=25)])
org("jeunes-droits", "Clinique juridique Jeunes Droits (fictive)", "Youth Rights Legal Clinic (fictional)", "03",
    "jeunes-droits", "Clinique juridique fictive pour jeunes.", "Fictional legal clinic for young people.",
    [s("aide-juridique", "Consultations juridiques jeunesse", "Youth legal consultations", (12, 25), "weekday", ["fr", "en"],
       "Québec", "G1K", regions=["03", "12"], verified=65)])
org("police-03", "Service de police fictif de Québec – escouade proxénétisme", "Fictional Québec City police – anti-pimping squad",
    "03", "police-quebec-fictif", "Unité policière fictive.", "Fictional police unit.",
    [s("police-eilp", "Escouade proxénétisme et exploitation sexuelle", "Pimping and sexual exploitation squad", (None, None),
       "24/7", ["fr", "en"], "Québec", "G1K", regions=["03"], verified=55)])

# 04 Mauricie (the CIUSSS also serves 17)
org("ciusss-04", "CIUSSS fictif de la Mauricie-et-du-Centre-du-Québec", "Fictional Mauricie and Centre-du-Québec health centre",
    "04", "ciusss-mcq", "Établissement public fictif (régions 04 et 17).", "Fictional public body (regions 04 and 17).",
    [s("dpj", "DPJ Mauricie–Centre-du-Québec", "Youth protection Mauricie–Centre-du-Québec", (0, 17), "24/7", ["fr"],
       "Trois-Rivières", "G8Z", regions=["04", "17"], verified=11),
     s("centre-designe", "Centre désigné – Hôpital fictif de Trois-Rivières", "Designated centre – fictional Trois-Rivières hospital",
       (None, None), "24/7", ["fr"], "Trois-Rivières", "G8Z", regions=["04"], verified=38),
     s("centre-designe", "Centre désigné – Hôpital fictif de Drummondville", "Designated centre – fictional Drummondville hospital",
       (None, None), "24/7", ["fr"], "Drummondville", "J2B", regions=["17"], verified=38),
     s("sante-sexuelle", "Clinique jeunesse de Shawinigan", "Shawinigan youth clinic", (14, 24), "clinic", ["fr"],
       "Shawinigan", "G9N", regions=["04"], verified=80)])
org("quai", "Refuge Le Quai des jeunes (fictif)", "Le Quai youth refuge (fictional)", "04", "le-quai",
    "Hébergement et travail de rue à Trois-Rivières.", "Shelter and street outreach in Trois-Rivières.",
    [shelter("Le Quai – hébergement d'urgence", "Le Quai emergency shelter", (12, 17), "Trois-Rivières", "G9A", (1, 8, 3),
             regions=["04"], verified=7),
     s("travail-de-rue", "Le Quai – travail de rue", "Le Quai street outreach", (12, 25), "evening", ["fr"],
       "Trois-Rivières", "G9A", regions=["04"], verified=21)])

# 05 Estrie (Granby, Cowansville: 05 since 2021)
org("ciusss-05", "CIUSSS fictif de l'Estrie", "Fictional Estrie health centre", "05", "ciusss-estrie",
    "Établissement public fictif.", "Fictional public body.",
    [s("dpj", "DPJ Estrie", "Youth protection Estrie", (0, 17), "24/7", ["fr", "en"], "Sherbrooke", "J1G",
       regions=["05"], verified=13),
     s("centre-designe", "Centre désigné – Hôpital fictif de Sherbrooke", "Designated centre – fictional Sherbrooke hospital",
       (None, None), "24/7", ["fr", "en"], "Sherbrooke", "J1G", regions=["05"], verified=31),
     s("sante-sexuelle", "Clinique jeunesse de Granby", "Granby youth clinic", (14, 24), "clinic", ["fr", "en"], "Granby",
       "J2G", regions=["05"], verified=44)])
org("eclaircie", "Maison L'Éclaircie jeunesse (fictive)", "L'Éclaircie youth house (fictional)", "05", "eclaircie",
    "Hébergement jeunesse à Sherbrooke.", "Youth shelter in Sherbrooke.",
    [shelter("L'Éclaircie – hébergement d'urgence", "L'Éclaircie emergency shelter", (12, 17), "Sherbrooke", "J1H", (2, 7, 10),
             langs=["fr", "en"], regions=["05"], verified=5),
     s("hebergement-transition", "L'Éclaircie – transition 18-25", "L'Éclaircie transition 18-25", (18, 25), "weekday",
       ["fr"], "Sherbrooke", "J1H", regions=["05"], status="temporarily closed", verified=120,
       note="Fermé temporairement pour rénovations / Temporarily closed for renovations")])
org("calacs-05", "Centre d'aide Agressions sexuelles Estrie (fictif)", "Estrie sexual assault centre (fictional)", "05",
    "caas-estrie", "CALACS fictif.", "Fictional sexual assault centre.",
    [s("calacs", "Suivi et accompagnement – agressions sexuelles", "Sexual assault support and accompaniment", (12, None),
       "weekday", ["fr", "en"], "Sherbrooke", "J1H", regions=["05"], verified=52)])
org("pont-granby", "Pont-Jeunesse Granby (fictif)", "Pont-Jeunesse Granby (fictional)", "05", "pont-jeunesse",
    "Travail de rue et réduction des méfaits en Haute-Yamaska.", "Street outreach and harm reduction in Haute-Yamaska.",
    [s("travail-de-rue", "Travail de rue Granby–Bromont", "Street outreach Granby–Bromont", (12, 30), "evening", ["fr"],
       "Granby", "J2G", regions=["05"], verified=17),
     s("dependances", "Réduction des méfaits Haute-Yamaska", "Harm reduction Haute-Yamaska", (14, None), "weekday_late",
       ["fr"], "Granby", "J2G", verified=29)])

# 06 Montréal
org("dpj-06", "CIUSSS fictif du Centre-Sud-de-l'Île-de-Montréal – DPJ", "Fictional Montréal youth protection (French sector)",
    "06", "dpj-mtl", "Établissement public fictif.", "Fictional public body.",
    [s("dpj", "DPJ de Montréal – urgence sociale", "Montréal youth protection – social emergency", (0, 17), "24/7",
       ["fr", "en", "es", "ht"], "Montréal", "H2L", regions=["06"], verified=4)])
org("dpj-06-en", "Services fictifs de protection de la jeunesse anglophones", "Fictional English-language youth protection services",
    "06", "youth-protection-en", "Établissement public fictif.", "Fictional public body.",
    [s("dpj", "Protection de la jeunesse – secteur anglophone", "Youth protection – English-language sector", (0, 17),
       "24/7", ["en", "fr"], "Montréal", "H4A", regions=["06"], verified=19)])
org("hopital-06", "Centre hospitalier fictif Saint-Exemple", "Fictional Saint-Exemple hospital", "06", "hopital-st-exemple",
    "Hôpital fictif.", "Fictional hospital.",
    [s("centre-designe", "Centre désigné jeunesse", "Designated youth centre (sexual assault)", (None, 17), "24/7",
       ["fr", "en"], "Montréal", "H3T", regions=["06"], verified=16),
     s("sante-sexuelle", "Clinique jeunesse Mile End", "Mile End youth clinic", (14, 25), "clinic", ["fr", "en", "es"],
       "Montréal", "H2T", regions=["06"], verified=23)])
org("boussole", "Refuge Jeunesse Boussole (fictif)", "Boussole youth refuge (fictional)", "06", "boussole",
    "Hébergement d'urgence et de transition au centre-ville.", "Emergency and transitional housing downtown.",
    [shelter("Boussole – hébergement d'urgence 12-17", "Boussole emergency shelter 12-17", (12, 17), "Montréal", "H2X",
             (1, 12, 1), langs=["fr", "en"], regions=["06"], verified=3),
     shelter("Boussole – hébergement d'urgence 18-25", "Boussole emergency shelter 18-25", (18, 25), "Montréal", "H2X",
             (0, 20, 2), langs=["fr", "en"], regions=["06", "13"], verified=3),
     s("hebergement-transition", "Boussole – logements de transition", "Boussole transitional apartments", (16, 21),
       "weekday", ["fr", "en"], "Montréal", "H2X", regions=["06"], confidential=True, capacity=(2, 9, 26), verified=27)])
org("harbour", "Youth Harbour Montréal (fictif)", "Youth Harbour Montreal (fictional)", "06", "youth-harbour",
    "Organisme anglophone fictif : hébergement et dépendances.", "Fictional English-language shelter and substance use programme.",
    [shelter("Youth Harbour – refuge 16-24", "Youth Harbour shelter 16-24", (16, 24), "Montréal", "H3J", (4, 15, 6),
             langs=["en", "fr"], regions=["06"], verified=9),
     s("dependances", "Youth Harbour – désintox jeunesse", "Youth Harbour youth detox", (14, 24), "24/7", ["en", "fr"],
       "Montréal", "H3J", regions=["06", "13", "16"], capacity=(2, 6, 12), verified=37)])
org("tdr-est", "Travail de rue Est-Montréal (fictif)", "East Montreal Street Outreach (fictional)", "06", "tdr-est-mtl",
    "Travail de rue et réduction des méfaits dans l'Est.", "Street outreach and harm reduction in the East End.",
    [s("travail-de-rue", "Travail de rue Hochelaga-Maisonneuve", "Street outreach Hochelaga-Maisonneuve", (12, 30),
       "evening", ["fr", "en"], "Montréal", "H1W", regions=["06"], verified=15),
     s("dependances", "Site fixe de réduction des méfaits (naloxone)", "Harm reduction site (naloxone)", (14, None),
       "overnight", ["fr", "en"], "Montréal", "H1W", regions=["06"], verified=24)])
org("cap-sortie", "Le Cap Sortie (fictif)", "Le Cap Exit (fictional)", "06", "cap-sortie",
    "Organisme fictif de sortie de l'exploitation sexuelle.", "Fictional organisation supporting exit from sexual exploitation.",
    [s("sortie-exploitation", "Programme de sortie – jeunes femmes", "Exit programme – young women", (14, 30),
       "weekday_late", ["fr", "en", "ht"], "Montréal", "H2K", regions=["06", "13"], confidential=True, verified=10),
     s(["sortie-exploitation", "lignes-aide"], "Ligne 24/7 exploitation sexuelle", "24/7 sexual exploitation line",
       (12, None), "24/7", ["fr", "en"], "Montréal", "H2K", regions=["06", "13", "14", "15", "16"], verified=10)])
org("juri-06", "Aide juridique jeunesse Montréal (fictive)", "Montreal youth legal aid (fictional)", "06", "juri-jeunesse-mtl",
    "Bureau fictif d'aide juridique jeunesse.", "Fictional youth legal aid office.",
    [s("aide-juridique", "Avocats jeunesse – chambre de la jeunesse", "Youth lawyers – youth court", (12, 25), "weekday",
       ["fr", "en"], "Montréal", "H2Z", regions=["06"], verified=58)])
org("police-06", "Police fictive de Montréal – unité anti-proxénétisme", "Fictional Montréal police – anti-pimping unit", "06",
    "police-mtl-fictif", "Unité policière fictive.", "Fictional police unit.",
    [s("police-eilp", "Unité anti-proxénétisme", "Anti-pimping unit", (None, None), "24/7", ["fr", "en"], "Montréal",
       "H2X", regions=["06"], verified=47)])
org("cavac-06", "Centre d'aide aux victimes Métropole (fictif)", "Metropolitan Victim Assistance Centre (fictional)", "06",
    "aide-victimes-metropole", "CAVAC fictif.", "Fictional crime victim assistance centre.",
    [s("cavac", "Accompagnement des victimes – jeunes", "Victim support – youth", (12, None), "weekday", ["fr", "en", "es"],
       "Montréal", "H2Z", regions=["06"], verified=36)])
org("crise-06", "Centre de crise fictif Phare-Est", "Phare-Est crisis centre (fictional)", "06", "phare-est",
    "Centre de crise fictif.", "Fictional crisis centre.",
    [s("sante-mentale", "Intervention de crise 24/7", "Crisis intervention 24/7", (14, None), "24/7", ["fr", "en"],
       "Montréal", "H1V", regions=["06"], capacity=(1, 5, 8), verified=20)])
org("kinship", "Centre autochtone urbain Kinship (fictif)", "Kinship urban Indigenous centre (fictional)", "06", "kinship",
    "Centre fictif pour Autochtones en milieu urbain.", "Fictional urban Indigenous centre.",
    [s("autochtone", "Kinship – accueil jeunesse autochtone", "Kinship Indigenous youth drop-in", (16, 30), "weekday_late",
       ["en", "fr", "iu", "cr"], "Montréal", "H2X", regions=["06"], verified=26),
     s(["autochtone", "travail-de-rue"], "Kinship – patrouille de nuit", "Kinship night outreach", (16, None), "overnight",
       ["en", "iu", "fr"], "Montréal", "H2X", regions=["06"], verified=26)])

# 07 Outaouais
org("cisss-07", "CISSS fictif de l'Outaouais", "Fictional Outaouais health centre", "07", "cisss-outaouais",
    "Établissement public fictif.", "Fictional public body.",
    [s("dpj", "DPJ Outaouais", "Youth protection Outaouais", (0, 17), "24/7", ["fr", "en"], "Gatineau", "J8Y",
       regions=["07"], verified=12),
     s("centre-designe", "Centre désigné – Hôpital fictif de Hull", "Designated centre – fictional Hull hospital",
       (None, None), "24/7", ["fr", "en"], "Gatineau", "J8Y", regions=["07"], verified=42),
     s("sante-mentale", "Crise Outaouais", "Outaouais crisis service", (12, None), "24/7", ["fr", "en"], "Gatineau",
       "J8X", regions=["07"], verified=18)])
org("tremplin-07", "Maison Le Tremplin de l'Outaouais (fictive)", "Le Tremplin Outaouais (fictional)", "07", "tremplin-outaouais",
    "Hébergement jeunesse à Gatineau.", "Youth shelter in Gatineau.",
    [shelter("Le Tremplin – urgence 12-17", "Le Tremplin emergency 12-17", (12, 17), "Gatineau", "J8X", (2, 9, 4),
             langs=["fr", "en"], regions=["07"], verified=8),
     s(["hebergement-transition", "transition-18"], "Le Tremplin – appartements 17-21", "Le Tremplin apartments 17-21",
       (17, 21), "weekday", ["fr", "en"], "Gatineau", "J8X", regions=["07"], confidential=True, capacity=(0, 5, 96),
       verified=64)])
org("cavac-07", "Centre d'aide aux victimes Outaouais (fictif)", "Outaouais victim assistance (fictional)", "07",
    "aide-victimes-outaouais", "CAVAC fictif.", "Fictional victim assistance centre.",
    [s("cavac", "Aide aux victimes Outaouais", "Victim assistance Outaouais", (None, None), "weekday", ["fr", "en"],
       "Gatineau", "J8Y", regions=["07"], verified=49)])
org("tdr-07", "Travail de rue Gatineau (fictif)", "Gatineau street outreach (fictional)", "07", "tdr-gatineau",
    "Travail de rue fictif.", "Fictional street outreach.",
    [s("travail-de-rue", "Travail de rue Hull–Aylmer", "Street outreach Hull–Aylmer", (12, 30), "evening", ["fr", "en"],
       "Gatineau", "J9H", regions=["07"], verified=30),
     s("dependances", "Réduction des méfaits Gatineau", "Harm reduction Gatineau", (16, None), "weekday_late",
       ["fr", "en"], "Gatineau", "J8X", regions=["07"], verified=30)])

# 08 Abitibi-Témiscamingue
org("cisss-08", "CISSS fictif de l'Abitibi-Témiscamingue", "Fictional Abitibi-Témiscamingue health centre", "08",
    "cisss-at", "Établissement public fictif.", "Fictional public body.",
    [s("dpj", "DPJ Abitibi-Témiscamingue", "Youth protection Abitibi-Témiscamingue", (0, 17), "24/7", ["fr"],
       "Rouyn-Noranda", "J9X", regions=["08"], verified=17),
     s("centre-designe", "Centre désigné – Hôpital fictif de Val-d'Or", "Designated centre – fictional Val-d'Or hospital",
       (None, None), "24/7", ["fr", "en"], "Val-d'Or", "J9P", regions=["08"], verified=44)])
org("amitie-08", "Centre d'amitié Anishinabe Val-d'Or (fictif)", "Val-d'Or Anishinabe Friendship Centre (fictional)", "08",
    "amitie-valdor", "Centre d'amitié autochtone fictif.", "Fictional Indigenous friendship centre.",
    [s("autochtone", "Services jeunesse autochtone Val-d'Or", "Indigenous youth services Val-d'Or", (12, 30),
       "weekday_late", ["fr", "en", "alq", "cr"], "Val-d'Or", "J9P", regions=["08", "10"], verified=21)])
org("aurores", "Maison Jeunes Aurores (fictive)", "Jeunes Aurores house (fictional)", "08", "jeunes-aurores",
    "Hébergement jeunesse à Amos.", "Youth shelter in Amos.",
    [shelter("Jeunes Aurores – hébergement", "Jeunes Aurores shelter", (12, 17), "Amos", "J9T", (3, 6, 20),
             regions=["08"], verified=33)])

# 09 Côte-Nord
org("cisss-09", "CISSS fictif de la Côte-Nord", "Fictional Côte-Nord health centre", "09", "cisss-cn-nord",
    "Établissement public fictif.", "Fictional public body.",
    [s("dpj", "DPJ Côte-Nord", "Youth protection Côte-Nord", (0, 17), "24/7", ["fr", "moe"], "Baie-Comeau", "G4Z",
       regions=["09"], verified=24),
     s("centre-designe", "Centre désigné – Hôpital fictif de Sept-Îles", "Designated centre – fictional Sept-Îles hospital",
       (None, None), "24/7", ["fr"], "Sept-Îles", "G4R", regions=["09"], verified=60)])
org("goeland", "Maison Le Goéland (fictive)", "Le Goéland house (fictional)", "09", "le-goeland",
    "Hébergement et travail de rue à Sept-Îles.", "Shelter and outreach in Sept-Îles.",
    [shelter("Le Goéland – hébergement d'urgence", "Le Goéland emergency shelter", (12, 17), "Sept-Îles", "G4R", (1, 4, 15),
             regions=["09"], verified=19),
     s("travail-de-rue", "Le Goéland – travail de rue", "Le Goéland street outreach", (14, 30), "evening", ["fr"],
       "Sept-Îles", "G4R", regions=["09"], verified=19)])
org("innu-09", "Service jeunesse innu Uashat (fictif)", "Uashat Innu youth service (fictional)", "09", "jeunesse-innu",
    "Service fictif pour jeunes Innus.", "Fictional Innu youth service.",
    [s("autochtone", "Accompagnement jeunesse innu", "Innu youth support", (12, 25), "weekday", ["moe", "fr"],
       "Uashat mak Mani-utenam", "G4R", regions=["09"], verified=35)])

# 10 Nord-du-Québec
org("jamesie", "Centre de santé fictif de la Jamésie", "Fictional Jamésie health centre", "10", "sante-jamesie",
    "Établissement public fictif.", "Fictional public body.",
    [s("dpj", "DPJ Jamésie", "Youth protection Jamésie", (0, 17), "24/7", ["fr"], "Chibougamau", "G8P",
       regions=["10"], verified=40),
     s("sante-mentale", "Crise et santé mentale Jamésie", "Crisis and mental health Jamésie", (12, None), "weekday",
       ["fr", "en"], "Chibougamau", "G8P", regions=["10"], verified=70)])
org("eeyou", "Service jeunesse cri fictif Eeyou", "Fictional Eeyou Cree youth service", "10", "eeyou-youth",
    "Service fictif pour jeunes Cris.", "Fictional Cree youth service.",
    [s(["autochtone", "dpj"], "Protection de la jeunesse crie", "Cree youth protection", (0, 17), "24/7", ["cr", "en"],
       "Chisasibi", "J0M", regions=["10"], verified=30)])
org("nunavik", "Service jeunesse fictif du Nunavik", "Fictional Nunavik youth service", "10", "nunavik-youth",
    "Service fictif pour jeunes Inuit.", "Fictional Inuit youth service.",
    [s(["autochtone", "dpj"], "Protection de la jeunesse Nunavik", "Nunavik youth protection", (0, 17), "24/7",
       ["iu", "en", "fr"], "Kuujjuaq", "J0M", regions=["10"], verified=45),
     s(["autochtone", "sante-mentale"], "Ligne jeunesse Nunavik", "Nunavik youth line", (12, 30), "evening",
       ["iu", "en"], "Kuujjuaq", "J0M", regions=["10"], verified=45)])

# 11 Gaspésie–Îles-de-la-Madeleine
org("cisss-11", "CISSS fictif de la Gaspésie", "Fictional Gaspésie health centre", "11", "cisss-gaspesie",
    "Établissement public fictif.", "Fictional public body.",
    [s("dpj", "DPJ Gaspésie–Îles-de-la-Madeleine", "Youth protection Gaspésie–Îles", (0, 17), "24/7", ["fr", "en"],
       "Gaspé", "G4X", regions=["11"], verified=26),
     s("centre-designe", "Centre désigné – Hôpital fictif de Maria", "Designated centre – fictional Maria hospital",
       (None, None), "24/7", ["fr", "en"], "Maria", "G0C", regions=["11"], verified=50),
     s("sante-sexuelle", "Clinique jeunesse Baie-des-Chaleurs", "Baie-des-Chaleurs youth clinic", (14, 24), "clinic",
       ["fr", "en"], "New Richmond", "G0C", regions=["11"], verified=90)])
org("ancre", "Maison jeunesse L'Ancre (fictive)", "L'Ancre youth house (fictional)", "11", "lancre",
    "Hébergement jeunesse en Gaspésie.", "Youth shelter in Gaspésie.",
    [shelter("L'Ancre – hébergement d'urgence", "L'Ancre emergency shelter", (12, 17), "Chandler", "G0C", (0, 4, 200),
             regions=["11"], status="temporarily closed", verified=150,
             note="Fermé temporairement (manque de personnel) / Temporarily closed (staffing)")])
org("migmaq", "Services jeunesse mi'gmaq (fictif)", "Mi'gmaq youth services (fictional)", "11", "migmaq-youth",
    "Service fictif pour jeunes Mi'gmaq.", "Fictional Mi'gmaq youth service.",
    [s("autochtone", "Accompagnement jeunesse mi'gmaq", "Mi'gmaq youth support", (12, 25), "weekday", ["en", "mic", "fr"],
       "Listuguj", "G0C", regions=["11"], verified=55)])

# 12 Chaudière-Appalaches
org("cisss-12", "CISSS fictif de Chaudière-Appalaches", "Fictional Chaudière-Appalaches health centre", "12",
    "cisss-ca", "Établissement public fictif.", "Fictional public body.",
    [s("dpj", "DPJ Chaudière-Appalaches", "Youth protection Chaudière-Appalaches", (0, 17), "24/7", ["fr"], "Lévis",
       "G6V", regions=["12"], verified=21),
     s("centre-designe", "Centre désigné – Hôpital fictif de Lévis", "Designated centre – fictional Lévis hospital",
       (None, None), "24/7", ["fr"], "Lévis", "G6V", regions=["12"], verified=39),
     s("sante-sexuelle", "Clinique jeunesse de la Beauce", "Beauce youth clinic", (14, 24), "clinic", ["fr"],
       "Saint-Georges", "G5Y", regions=["12"], verified=67)])
org("passerelle", "Maison jeunesse La Passerelle Beauce (fictive)", "La Passerelle Beauce (fictional)", "12",
    "passerelle-beauce", "Hébergement et travail de rue en Beauce.", "Shelter and outreach in Beauce.",
    [shelter("La Passerelle – hébergement d'urgence", "La Passerelle emergency shelter", (12, 17), "Saint-Georges", "G5Y",
             (2, 5, 9), regions=["12"], verified=16),
     s("travail-de-rue", "Travail de rue Thetford–Beauce", "Street outreach Thetford–Beauce", (12, 25), "evening",
       ["fr"], "Thetford Mines", "G6G", regions=["12"], verified=46)])

# 13 Laval
org("cisss-13", "CISSS fictif de Laval", "Fictional Laval health centre", "13", "cisss-laval",
    "Établissement public fictif.", "Fictional public body.",
    [s("dpj", "DPJ Laval", "Youth protection Laval", (0, 17), "24/7", ["fr", "en"], "Laval", "H7N", regions=["13"],
       verified=7),
     s("centre-designe", "Centre désigné – Hôpital fictif de Laval", "Designated centre – fictional Laval hospital",
       (None, None), "24/7", ["fr", "en"], "Laval", "H7M", regions=["13"], verified=29),
     s("sante-mentale", "Centre de crise fictif de Laval", "Fictional Laval crisis centre", (14, None), "24/7",
       ["fr", "en", "ar"], "Laval", "H7N", regions=["13"], verified=14)])
org("envolee", "Refuge L'Envolée Laval (fictif)", "L'Envolée Laval refuge (fictional)", "13", "envolee",
    "Hébergement jeunesse à Laval.", "Youth shelter in Laval.",
    [shelter("L'Envolée – urgence 12-17", "L'Envolée emergency 12-17", (12, 17), "Laval", "H7W", (1, 8, 2),
             langs=["fr", "en"], regions=["13"], verified=4),
     s(["hebergement-transition", "transition-18"], "L'Envolée – transition 17-21", "L'Envolée transition 17-21",
       (17, 21), "weekday", ["fr", "en"], "Laval", "H7W", regions=["13"], confidential=True, capacity=(1, 4, 30),
       verified=32)])
org("cavac-13", "Centre d'aide aux victimes de Laval (fictif)", "Laval victim assistance (fictional)", "13",
    "aide-victimes-laval", "CAVAC fictif.", "Fictional victim assistance centre.",
    [s("cavac", "Aide aux victimes Laval – accompagnement à la cour", "Laval victim assistance – court support",
       (12, None), "weekday", ["fr", "en"], "Laval", "H7N", regions=["13"], verified=43)])
org("police-13", "Police fictive de Laval – équipe exploitation sexuelle", "Fictional Laval police – sexual exploitation team",
    "13", "police-laval-fictif", "Unité policière fictive.", "Fictional police unit.",
    [s("police-eilp", "Équipe exploitation sexuelle et proxénétisme", "Sexual exploitation and pimping team",
       (None, None), "24/7", ["fr", "en"], "Laval", "H7N", regions=["13"], verified=61)])
org("tdr-13", "Travail de rue Île Jésus (fictif)", "Île Jésus street outreach (fictional)", "13", "tdr-ile-jesus",
    "Travail de rue et sortie de l'exploitation à Laval.", "Street outreach and exit support in Laval.",
    [s("travail-de-rue", "Travail de rue Chomedey–Pont-Viau", "Street outreach Chomedey–Pont-Viau", (12, 30),
       "evening", ["fr", "en"], "Laval", "H7V", regions=["13"], verified=11),
     s("sortie-exploitation", "Accompagnement sortie de l'exploitation – Laval", "Exit support – Laval", (14, 25),
       "weekday_late", ["fr", "en"], "Laval", "H7V", regions=["13"], verified=11)])

# 14 Lanaudière
org("cisss-14", "CISSS fictif de Lanaudière", "Fictional Lanaudière health centre", "14", "cisss-lanaudiere",
    "Établissement public fictif.", "Fictional public body.",
    [s("dpj", "DPJ Lanaudière", "Youth protection Lanaudière", (0, 17), "24/7", ["fr"], "Joliette", "J6E",
       regions=["14"], verified=23),
     s("centre-designe", "Centre désigné – Hôpital fictif de Joliette", "Designated centre – fictional Joliette hospital",
       (None, None), "24/7", ["fr"], "Joliette", "J6E", regions=["14"], verified=48)])
org("sentier", "Maison Le Sentier (fictive)", "Le Sentier house (fictional)", "14", "le-sentier",
    "Hébergement jeunesse dans Lanaudière.", "Youth shelter in Lanaudière.",
    [shelter("Le Sentier – hébergement d'urgence", "Le Sentier emergency shelter", (12, 17), "Terrebonne", "J6W", (3, 9, 7),
             regions=["14"], verified=12),
     s("transition-18", "Le Sentier – vie adulte 18-24", "Le Sentier adulthood 18-24", (18, 24), "weekday", ["fr"],
       "Repentigny", "J5Y", regions=["14"], verified=85)])
org("atikamekw", "Service jeunesse atikamekw (fictif)", "Atikamekw youth service (fictional)", "14", "jeunesse-atikamekw",
    "Service fictif pour jeunes Atikamekw.", "Fictional Atikamekw youth service.",
    [s("autochtone", "Accompagnement jeunesse atikamekw", "Atikamekw youth support", (12, 25), "weekday",
       ["atj", "fr"], "Manawan", "J0K", regions=["14", "04"], verified=53)])

# 15 Laurentides
org("cisss-15", "CISSS fictif des Laurentides", "Fictional Laurentides health centre", "15", "cisss-laurentides",
    "Établissement public fictif.", "Fictional public body.",
    [s("dpj", "DPJ Laurentides", "Youth protection Laurentides", (0, 17), "24/7", ["fr", "en"], "Saint-Jérôme", "J7Z",
       regions=["15"], verified=18),
     s("centre-designe", "Centre désigné – Hôpital fictif de Saint-Jérôme", "Designated centre – fictional Saint-Jérôme hospital",
       (None, None), "24/7", ["fr"], "Saint-Jérôme", "J7Z", regions=["15"], verified=34)])
org("versant", "Maison jeunesse Le Versant (fictive)", "Le Versant youth house (fictional)", "15", "le-versant",
    "Hébergement, travail de rue et dépendances dans les Laurentides.", "Shelter, outreach and substance use in the Laurentians.",
    [shelter("Le Versant – hébergement d'urgence", "Le Versant emergency shelter", (12, 17), "Saint-Jérôme", "J7Y",
             (0, 7, 3), regions=["15"], verified=6),
     s("travail-de-rue", "Travail de rue Hautes-Laurentides", "Street outreach Upper Laurentians", (14, 30), "evening",
       ["fr"], "Mont-Laurier", "J9L", regions=["15"], verified=57),
     s("dependances", "Désintox jeunesse Sainte-Agathe", "Sainte-Agathe youth detox", (14, 21), "24/7", ["fr", "en"],
       "Sainte-Agathe-des-Monts", "J8C", regions=["15", "14", "13"], capacity=(1, 8, 20), verified=22)])

# 16 Montérégie
org("cisss-16", "CISSS fictif de la Montérégie", "Fictional Montérégie health centre", "16", "cisss-monteregie",
    "Établissement public fictif.", "Fictional public body.",
    [s("dpj", "DPJ Montérégie – urgence sociale", "Youth protection Montérégie – social emergency", (0, 17), "24/7",
       ["fr", "en"], "Longueuil", "J4K", regions=["16"], verified=5),
     s("centre-designe", "Centre désigné – Hôpital fictif de Longueuil", "Designated centre – fictional Longueuil hospital",
       (None, None), "24/7", ["fr", "en"], "Longueuil", "J4K", regions=["16"], verified=27),
     s("centre-designe", "Centre désigné – Hôpital fictif de Saint-Hyacinthe", "Designated centre – fictional Saint-Hyacinthe hospital",
       (None, None), "24/7", ["fr"], "Saint-Hyacinthe", "J2S", regions=["16"], verified=27),
     s("sante-mentale", "Crise Haut-Richelieu", "Haut-Richelieu crisis service", (12, None), "24/7", ["fr", "en"],
       "Saint-Jean-sur-Richelieu", "J3B", regions=["16"], verified=31),
     s("sante-sexuelle", "Clinique jeunesse de Longueuil", "Longueuil youth clinic", (14, 24), "clinic", ["fr", "en"],
       "Longueuil", "J4H", regions=["16"], verified=39)])
org("rive-sud", "Refuge Rive-Sud jeunesse (fictif)", "South Shore youth refuge (fictional)", "16", "refuge-rive-sud",
    "Hébergement jeunesse sur la Rive-Sud.", "Youth shelters on the South Shore.",
    [shelter("Refuge Rive-Sud – urgence 12-17", "South Shore refuge – emergency 12-17", (12, 17), "Longueuil", "J4H",
             (1, 8, 4), langs=["fr", "en"], regions=["16"], verified=3),
     shelter("Refuge Rive-Sud – urgence 18-25", "South Shore refuge – emergency 18-25", (18, 25), "Longueuil", "J4H",
             (3, 12, 28), langs=["fr", "en"], regions=["16"], verified=3),
     s("hebergement-transition", "Refuge Rive-Sud – transition Saint-Hubert", "South Shore refuge – Saint-Hubert transition",
       (17, 21), "weekday", ["fr", "en"], "Longueuil", "J3Y", regions=["16"], confidential=True, capacity=(2, 6, 50),
       verified=54)])
org("cavac-16", "Centre d'aide aux victimes Montérégie (fictif)", "Montérégie victim assistance (fictional)", "16",
    "aide-victimes-monteregie", "CAVAC fictif.", "Fictional victim assistance centre.",
    [s("cavac", "Aide aux victimes Montérégie", "Victim assistance Montérégie", (None, None), "weekday", ["fr", "en"],
       "Longueuil", "J4K", regions=["16"], verified=62)])
org("calacs-16", "Aide contre les agressions sexuelles Richelieu (fictif)", "Richelieu sexual assault centre (fictional)",
    "16", "aas-richelieu", "CALACS fictif.", "Fictional sexual assault centre.",
    [s("calacs", "Accompagnement – agressions sexuelles", "Sexual assault accompaniment", (12, None), "weekday",
       ["fr"], "Saint-Jean-sur-Richelieu", "J3B", regions=["16"], verified=71)])
org("tdr-16", "Travail de rue Suroît (fictif)", "Suroît street outreach (fictional)", "16", "tdr-suroit",
    "Travail de rue fictif à Valleyfield.", "Fictional street outreach in Valleyfield.",
    [s("travail-de-rue", "Travail de rue Valleyfield", "Street outreach Valleyfield", (12, 30), "evening", ["fr"],
       "Salaberry-de-Valleyfield", "J6T", regions=["16"], verified=44),
     s(["sortie-exploitation", "travail-de-rue"], "Sortie de l'exploitation – Suroît", "Exit support – Suroît", (14, 25),
       "weekday", ["fr"], "Salaberry-de-Valleyfield", "J6T", status="inactive", verified=400,
       note="Programme terminé / Programme ended")])
org("police-16", "Police fictive de Longueuil – exploitation sexuelle", "Fictional Longueuil police – sexual exploitation",
    "16", "police-longueuil-fictif", "Unité policière fictive.", "Fictional police unit.",
    [s("police-eilp", "Enquêtes exploitation sexuelle et proxénétisme", "Sexual exploitation and pimping investigations",
       (None, None), "24/7", ["fr", "en"], "Longueuil", "J4K", regions=["16"], verified=66)])
org("kahnawake", "Services jeunesse Kahnawake (fictif)", "Kahnawake youth services (fictional)", "16", "kahnawake-youth",
    "Service fictif pour jeunes Kanien'kehá:ka.", "Fictional Kanien'kehá:ka youth service.",
    [s("autochtone", "Soutien jeunesse Kanien'kehá:ka", "Kanien'kehá:ka youth support", (12, 25), "weekday",
       ["en", "moh", "fr"], "Kahnawake", "J0L", regions=["16"], verified=38)])

# 17 Centre-du-Québec
org("carrefour-17", "Maison jeunesse Le Carrefour des Bois-Francs (fictive)", "Le Carrefour Bois-Francs (fictional)", "17",
    "carrefour-bf", "Hébergement et travail de rue au Centre-du-Québec.", "Shelter and outreach in Centre-du-Québec.",
    [shelter("Le Carrefour – hébergement d'urgence", "Le Carrefour emergency shelter", (12, 17), "Victoriaville", "G6P",
             (2, 6, 11), regions=["17"], verified=9),
     s("travail-de-rue", "Travail de rue Drummondville", "Street outreach Drummondville", (12, 30), "evening", ["fr"],
       "Drummondville", "J2B", regions=["17"], verified=26),
     s("sante-sexuelle", "Clinique jeunesse de Drummondville", "Drummondville youth clinic", (14, 24), "clinic", ["fr"],
       "Drummondville", "J2B", verified=48)])
org("wabanaki", "Service jeunesse waban-aki (fictif)", "Waban-Aki youth service (fictional)", "17", "jeunesse-wabanaki",
    "Service fictif pour jeunes Abénakis.", "Fictional Abenaki youth service.",
    [s("autochtone", "Accompagnement jeunesse waban-aki", "Waban-Aki youth support", (12, 25), "weekday", ["fr", "en"],
       "Odanak", "J0G", regions=["17"], verified=58)])


# ----------------------------------------------------------------------------- building
def build_service(o: dict, idx: int, sv: dict) -> dict:
    key = f"{o['key']}/{idx}"
    lo, hi = sv["ages"]
    cats = sv["cats"]
    fr_t, en_t = TEMPLATES[cats[0]]
    desc_fr = f"{MARK} " + fr_t.format(ages=ages_text(lo, hi, "fr"))
    desc_en = f"{MARK} " + en_t.format(ages=ages_text(lo, hi, "en"))
    regions = sv.get("regions")
    area_region = (regions or [o["region"]])[0]
    number = sv.get("real_phone") or phone(area_region)
    hours = HOURS[sv["hours"]]
    verified = sv.get("verified", 30)
    elig_fr = f"Jeunes de {ages_text(lo, hi, 'fr')}" if (lo, hi) != (None, None) else "Toute personne"
    elig_en = f"Young people aged {ages_text(lo, hi, 'en')}" if (lo, hi) != (None, None) else "Anyone"
    if regions == ["*"]:
        area_names = ["Tout le Québec"]
    else:
        area_names = [REGION_FR[r] for r in (regions or [o["region"]])]
        elig_fr += " – " + ", ".join(area_names)
        elig_en += " – " + ", ".join(area_names)
    service: dict = {
        "id": uid("service", key),
        "organization_id": uid("organization", o["key"]),
        "name": sv["name"],
        "description": desc_fr,
        "status": sv.get("status", "active"),
        "eligibility_description": elig_fr,
        "assured_date": (GENERATED_AT - timedelta(days=verified)).date().isoformat(),
        "last_modified": (GENERATED_AT - timedelta(days=verified)).isoformat(),
        "phones": [{"id": uid("phone", key), "number": number, "type": "voice",
                    "description": hours[0][3]}],
        "languages": [{"id": uid("language", key, code), "code": code, "name": LANG_NAMES[code]}
                      for code in sv["langs"]],
        "schedules": [{"id": uid("schedule", key, i), "freq": "WEEKLY", "byday": byday, "opens_at": opens,
                       "closes_at": closes, "description": desc}
                      for i, (byday, opens, closes, desc) in enumerate(hours)],
        "service_areas": [{"id": uid("area", key, name), "name": name, "extent": name, "extent_type": "text"}
                          for name in area_names],
        "attributes": [{"id": uid("attribute", key, code), "link_type": "category", "link_entity": "service",
                        "taxonomy_term": {"id": uid("term", code), "code": code, "name": CAT_FR[code],
                                          "description": CAT_FR[code], "taxonomy": "relais"}}
                       for code in cats],
    }
    if lo is not None:
        service["minimum_age"] = lo
    if hi is not None:
        service["maximum_age"] = hi
    if sv.get("note"):
        service["alert"] = sv["note"]
    if sv.get("city"):
        confidential = sv.get("confidential", False)
        address = {"id": uid("address", key), "address_1": (
            "Adresse confidentielle / Confidential address" if confidential else f"{100 + idx * 7}, rue Fictive"),
            "city": sv["city"], "state_province": "QC", "postal_code": sv["fsa"], "country": "CA",
            "address_type": "physical"}
        service["service_at_locations"] = [{
            "id": uid("sal", key),
            "location": {"id": uid("location", key), "location_type": "physical",
                         "name": sv["name"], "addresses": [address]},
        }]
    if sv.get("capacity"):
        avail, maximum, hours_ago = sv["capacity"]
        service["capacities"] = [{
            "id": uid("capacity", key), "unit": {"id": uid("unit", "lit"), "name": "lit"},
            "available": avail, "maximum": maximum,
            "updated": (GENERATED_AT - timedelta(hours=hours_ago)).isoformat(),
            "x_updated_hours_ago": hours_ago}]
        service["x_updated_hours_ago"] = hours_ago
    service.update({
        "x_name_en": sv["name_en"],
        "x_description_en": desc_en,
        "x_eligibility_en": elig_en,
        "x_open_24_7": sv["hours"] == "24/7",
        "x_timezone": "America/Toronto",
        "x_confidential_address": sv.get("confidential", False),
        "x_verified_days_ago": verified,
    })
    if regions is not None:
        service["x_regions"] = regions
    return service


def build() -> dict:
    orgs = []
    for o in ORGS:
        desc_fr = f"{MARK} {o['desc_fr']}"
        item = {"id": uid("organization", o["key"]), "name": o["name"], "description": desc_fr,
                "x_name_en": o["name_en"], "x_description_en": f"{MARK} {o['desc_en']}"}
        if o["slug"]:
            item["email"] = f"info@{o['slug']}.example"
            item["website"] = f"https://{o['slug']}.example"
        item["services"] = [build_service(o, i, sv) for i, sv in enumerate(o["services"])]
        orgs.append(item)
    return {
        "_notice": ("Données fictives / Sample data: every organisation, service, address, e-mail and phone "
                    "number in this file is INVENTED for development and demos (phones use the 555-01xx "
                    "fictional range), except the Canadian Human Trafficking Hotline, 1-833-900-1010, "
                    "which is real and public. Do not use for real referrals."),
        "_format": "HSDS 3.0 JSON (organizations with nested services) + Relais x_ extensions; see README.md",
        "_generated_at": GENERATED_AT.isoformat(),
        "organizations": orgs,
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
