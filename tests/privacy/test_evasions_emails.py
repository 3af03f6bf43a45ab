"""E-mail addresses written with "at"/"dot", "arobase"/"point", or bracketed; social-media
accounts named without "@". Ordinary uses of "at" and "point" still pass."""

from __future__ import annotations

import pytest

from tests.privacy.helpers import found

EMAILS = [
    ("fr", "écris-lui à jesstremblay (at) gmail (dot) com", "jesstremblay (at) gmail (dot) com"),
    ("fr", "son courriel : kayla.b arobase hotmail point com", "kayla.b arobase hotmail point com"),
    ("fr", "sa mère : nathalie.g72 arobase videotron point ca",
     "nathalie.g72 arobase videotron point ca"),
    ("fr", "écris à lili_xo [at] outlook [point] fr", "lili_xo [at] outlook [point] fr"),
    ("en", "her email is kayla.b at hotmail dot com", "kayla.b at hotmail dot com"),
    ("en", "jess at gmail dot com is the one she checks", "jess at gmail dot com"),
    ("en", "contact: jess {at} yahoo {dot} ca", "jess {at} yahoo {dot} ca"),
    ("en", "email jess (at) gmail if you hear anything", "jess (at) gmail"),
    ("en", "her address is jess at gmail.com", "jess at gmail.com"),
    ("en", "write to jess@gmail dot com", "jess@gmail dot com"),
    ("fr", "courriel jess @ hotmail . com", "jess @ hotmail . com"),
    ("fr", "écris à kayla arobase hotmail, elle répond le soir", "kayla arobase hotmail"),
    ("en", "her email: j e s s @ g m a i l . c o m", "j e s s @ g m a i l"),
]


@pytest.mark.parametrize(("lang", "text", "span"), EMAILS, ids=[e[2] for e in EMAILS])
def test_spelled_email(screen, lang, text, span):
    assert ("EMAIL", span) in found(screen, text)


HANDLES = [
    ("en", "her insta kayla.b.22, she posts every night", "kayla.b.22"),
    ("fr", "son snap c'est jessy_xo", "jessy_xo"),
    ("en", "tiktok: lil.jess09", "lil.jess09"),
    ("fr", "elle est sur insta xo.lili.xo depuis l'été", "xo.lili.xo"),
    ("en", "found her on snapchat babygirl_514 yesterday", "babygirl_514"),
]


@pytest.mark.parametrize(("lang", "text", "span"), HANDLES, ids=[h[2] for h in HANDLES])
def test_account_named_without_at(screen, lang, text, span):
    assert ("HANDLE", span) in found(screen, text)


MUST_PASS = [
    "look at google.com for the info",
    "Check the resources at tel-jeunes.com tonight",
    "she was at school, point final",
    "on se voit at home point final",
    "Elle est arrivée à 9 h, point de service fermé",
    "We met at the point of service near the metro",
    "She stayed at home; point taken, we'll call tomorrow",
    "Mon point : elle a besoin d'un lit ce soir.",
    "her snap is private now",
    "She uses Instagram and Snapchat a lot, insta 2 fois par jour",
    "email her at work tomorrow",
    "On se voit @ Tim Hortons vers 14h.",
    "Rencontre @ 14h au bureau.",
]


@pytest.mark.parametrize("text", MUST_PASS)
def test_ordinary_at_and_point_pass(screen, text):
    result = screen.scan(text)
    assert result.identifying is False, [(text[s:e], k) for s, e, k in result.spans]


# --- "à"/"a"/"chez" for "@"; a plain at before a mail provider with no TLD ---

PLAIN_AT_EMAILS = [
    ("fr", "son courriel c'est jade.b à hotmail point ca", "jade.b à hotmail point ca"),
    ("fr", "elle écrit de lulu2010 a hotmail point com", "lulu2010 a hotmail point com"),
    ("fr", "son mail : xo_b chez hotmail point com", "xo_b chez hotmail point com"),
    ("fr", "courriel : mimi_22 à gmail", "mimi_22 à gmail"),
    ("en", "her email is xoxo at gmail", "xoxo at gmail"),
    ("en", "reach her at xo.b at outlook, she checks it", "xo.b at outlook"),
]


@pytest.mark.parametrize(("lang", "text", "span"), PLAIN_AT_EMAILS,
                         ids=[e[2] for e in PLAIN_AT_EMAILS])
def test_email_with_a_plain_word_for_at(screen, lang, text, span):
    assert ("EMAIL", span) in found(screen, text)


PLAIN_AT_MUST_PASS = [
    "elle a hotmail point com sur son téléphone",
    "on va chez Videotron point final",
    "il est chez hotmail maintenant, il travaille là",
    "meet at live music night, 8pm",
    "she was at gmail headquarters for a tour",
    "écris à la DPJ, point final",
]


@pytest.mark.parametrize("text", PLAIN_AT_MUST_PASS)
def test_ordinary_a_chez_and_at_pass(screen, text):
    result = screen.scan(text)
    assert result.identifying is False, [(text[s:e], k) for s, e, k in result.spans]


# --- accounts named through their owner ("ig of the guy: ...") or "s'appelle" ---

OWNED_HANDLES = [
    ("en", "snap of her cousin: lil.kay514", "lil.kay514"),
    ("fr", "le snap de son chum : kevlaflame", "kevlaflame"),
    ("fr", "insta de la fille = mimi_xoxo", "mimi_xoxo"),
    ("fr", "le gars sur snap s'appelle bigmoney514", "bigmoney514"),
    ("en", "his telegram is called kingpin99", "kingpin99"),
    ("fr", "sur insta elle est lil.jay", "lil.jay"),
    ("en", "on snap she's xo.bree_", "xo.bree_"),
]


@pytest.mark.parametrize(("lang", "text", "span"), OWNED_HANDLES, ids=[h[2] for h in OWNED_HANDLES])
def test_account_named_through_its_owner(screen, lang, text, span):
    assert ("HANDLE", span) in found(screen, text)


OWNED_MUST_PASS = [
    "insta de sa soeur : privé",
    "the snap of the group: closed since monday",
    "insta de l'organisme : tel.jeunes",
    "the snap called for help",
    "on snap she's private now",
    "sur insta elle est super active",
]


@pytest.mark.parametrize("text", OWNED_MUST_PASS)
def test_private_or_service_accounts_pass(screen, text):
    result = screen.scan(text)
    assert result.identifying is False, [(text[s:e], k) for s, e, k in result.spans]
