"""Catalogs: the four languages hold the same keys, and no English reaches zh, pl or ru text."""

from __future__ import annotations

import re

import pytest
import yaml

from pmworkbook.core.templates import BUNDLED_TEMPLATES

TEMPLATES = BUNDLED_TEMPLATES  # the templates shipped inside the package
LANGUAGES = ("zh", "pl", "ru")
CATALOGS = ["i18n/{lang}.yaml", "catalogs/cadences.{lang}.yaml", "catalogs/roles.{lang}.yaml", "catalogs/criteria.{lang}.yaml"]
# Words that may stay the same in every language: acronyms and channel names.
ALLOWED = {"KPI", "RACI", "SMART", "mail", "min"}
SAME_IN_EVERY_LANGUAGE = {"E-mail", "Mentor", "Weekend", "weekend", "Agenda", "Status"}  # Polish words too
# Polish is written in Latin letters too: look for common English words instead.
ENGLISH_WORDS = {"the", "and", "with", "for", "every", "each", "of", "is", "are", "project", "meeting", "report",
                 "weekly", "daily", "client", "team", "scope", "risk", "quality", "change", "milestone", "review",
                 "schedule", "owner", "budget", "time", "day", "days", "working", "holiday", "page", "rater", "score"}


def shape(node, path=""):
    if isinstance(node, dict):
        return {key: shape(value, f"{path}.{key}") for key, value in node.items()}
    if isinstance(node, list):
        return [shape(item) for item in node] if node and isinstance(node[0], dict) else "list"
    return "text"


def leaves(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from leaves(value, f"{path}[{index}]")
    else:
        yield path, str(node)


def load(pattern, lang):
    return yaml.safe_load((TEMPLATES / pattern.format(lang=lang)).read_text(encoding="utf-8"))


@pytest.mark.parametrize("pattern", CATALOGS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_the_same_keys_as_english(pattern, lang):
    assert shape(load(pattern, lang)) == shape(load(pattern, "en"))


@pytest.mark.parametrize("pattern", CATALOGS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_english_sentence_in_other_languages(pattern, lang):
    english = dict(leaves(load(pattern, "en")))
    for path, text in leaves(load(pattern, lang)):
        words = re.findall(r"[A-Za-z]{2,}", re.sub(r"\{[a-z_]+\}", "", text))
        if lang == "pl":
            english_words = [w for w in words if w.lower() in ENGLISH_WORDS]
        else:
            english_words = [w for w in words if w not in ALLOWED]
        assert not english_words, (lang, path, text)
        # Text without letters (punctuation such as a list separator) may be the same as English.
        if text not in SAME_IN_EVERY_LANGUAGE and not re.fullmatch(r"[\d%≤≥ .{}a-z_]*", text) and re.search(r"[^\W\d_]", re.sub(r"\{[a-z_]+\}", "", text)):
            assert text != english.get(path), (lang, path, text)


# The English terms of the glossary (shared/GLOSSARY.md): "working day", "e-mail", and the like.
GLOSSARY_EN = {r"\bbusiness (day|hour)s?\b": "working day / working hour", r"\bemail\b": "e-mail",
               r"\bkick-off\b": "kickoff", r"\bone-on-one\b": "one-to-one"}


@pytest.mark.parametrize("pattern", CATALOGS)
def test_english_text_uses_the_glossarys_terms(pattern):
    for path, text in leaves(load(pattern, "en")):
        if path.startswith(".apps."):
            continue  # the apps' own labels (no client reads them)
        words = re.sub(r"\{[a-z_]+\}", "", text)
        for variant, term in GLOSSARY_EN.items():
            assert not re.search(variant, words, re.I), (path, text, f"the glossary says {term}")


@pytest.mark.parametrize("pattern", CATALOGS)
def test_chinese_sentences_are_not_followed_by_a_space(pattern):
    for path, text in leaves(load(pattern, "zh")):
        assert not re.search(r"[。！？；：，、]\s", text), (path, text)
    assert load("i18n/{lang}.yaml", "zh")["sentence_separator"] == ""


# The glossary writes British English ("behavioural anchor", "the customer organisation"), and so does
# all English text: -ise, -our, -re, "towards". US forms that a client would notice:
US_SPELLINGS = [
    r"\b\w+iz(e|es|ed|ing|ation|ations)\b",  # organize, prioritized, renormalized
    r"\b\w*yz(e|es|ed|ing)\b",  # analyze
    r"\b(behavior|color|favor|honor|labor|neighbor|humor|endeavor)(s|al|ed|ing)?\b",
    r"\b(center|meter|theater|fiber)s?\b", r"\b(catalog|dialog)s?\b", r"\btoward\b",
    r"\b(canceled|canceling|labeled|labeling|modeled|modeling|traveled|traveling|fulfill|enrollment|judgment|acknowledgment)\b",
    r"\bgray\b", r"\bcheck “",  # tick a box
]
BRITISH_ANYWAY = {"size", "sizes", "sized", "prize", "prizes", "seize", "seized", "capsize"}


@pytest.mark.parametrize("pattern", CATALOGS)
def test_english_text_is_british_as_the_glossary_is(pattern):
    for path, text in leaves(load(pattern, "en")):
        words = re.sub(r"\{[a-z_]+\}", "", text)
        for spelling in US_SPELLINGS:
            found = [m.group(0) for m in re.finditer(spelling, words, re.I) if m.group(0).lower() not in BRITISH_ANYWAY]
            assert not found, (path, text, found)
