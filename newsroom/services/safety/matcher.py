"""
The matcher: every word of the lists that apply to a department in one
Aho-Corasick automaton (ahocorasick-rs), plus the personal-information
detectors and the site's patterns. Built once per process per rules version
and department, never per request.
"""

import re
import threading
from dataclasses import dataclass

import ahocorasick_rs

from newsroom.models import PersonalPattern, WordEntry, WordList
from newsroom.models.safety import rules_version

from .personal import Found, find_personal, generic_mask

# Most severe first: a word in two lists counts at its strictest level.
SEVERITY = {"blocked": 0, "caution": 1, "correction": 2}

# Full-width ASCII (ＡＢＣ１２３) and the ideographic space read as their plain forms;
# the text keeps its length, so positions found in the folded text hold in the original.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold(text: str) -> str:
    folded = text.translate(_FOLD)
    lowered = folded.lower()
    return lowered if len(lowered) == len(folded) else folded


@dataclass(frozen=True)
class WordRule:
    word: str
    level: str
    category: str
    suggestion: str
    # Latin words match whole words only (“AD” is not in “ADMIN”).
    latin: bool


@dataclass(frozen=True)
class PatternRule:
    name: str
    regex: re.Pattern


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


class Matcher:
    def __init__(self, entries, patterns):
        rules = {}
        for word, level, category, suggestion in entries:
            key = fold(word.strip())
            if not key:
                continue
            current = rules.get(key)
            if current is None or SEVERITY[level] < SEVERITY[current.level]:
                latin = key.isascii()
                rules[key] = WordRule(word.strip(), level, category, suggestion, latin)
        self.rules = list(rules.values())
        self.automaton = (
            ahocorasick_rs.AhoCorasick(
                list(rules), matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
            )
            if rules
            else None
        )
        self.patterns = []
        for name, regex in patterns:
            try:
                self.patterns.append(PatternRule(name, re.compile(regex)))
            except re.error:
                continue  # the admin form refuses these; one written around it is skipped

    def words(self, text: str):
        """(start, end, rule) for each listed word in the text."""
        if self.automaton is None or not text:
            return []
        folded = fold(text)
        found = []
        for index, start, end in self.automaton.find_matches_as_indexes(folded):
            rule = self.rules[index]
            if rule.latin and (
                (start > 0 and _is_word_char(folded[start - 1]))
                or (end < len(folded) and _is_word_char(folded[end]))
            ):
                continue
            found.append((start, end, rule))
        return found

    def personal(self, text: str):
        """Personal information: the built-in detectors, then the site's patterns."""
        found = find_personal(text)
        for rule in self.patterns:
            for match in rule.regex.finditer(text):
                if match.end() > match.start():
                    found.append(
                        Found(
                            rule.name,
                            match.start(),
                            match.end(),
                            match.group(0),
                            generic_mask(match.group(0)),
                        )
                    )
        return found


_lock = threading.Lock()
_built: dict = {}


def matcher_for(department_id, *, version=None) -> Matcher:
    """The matcher of a department's rules at the current rules version (built once)."""
    version = rules_version() if version is None else version
    key = (version, department_id)
    matcher = _built.get(key)
    if matcher is not None:
        return matcher
    with _lock:
        matcher = _built.get(key)
        if matcher is None:
            if any(k[0] != version for k in _built):
                _built.clear()
            matcher = _built[key] = _build(department_id)
    return matcher


def _build(department_id) -> Matcher:
    lists = WordList.objects.for_department(department_id)
    entries = WordEntry.objects.filter(word_list__in=lists).values_list(
        "word", "level", "category", "suggestion"
    )
    scope = PersonalPattern.objects.filter(is_active=True, department__isnull=True)
    if department_id is not None:
        scope = PersonalPattern.objects.filter(is_active=True).filter(
            department__isnull=True
        ) | PersonalPattern.objects.filter(is_active=True, department_id=department_id)
    patterns = scope.values_list("name", "pattern")
    return Matcher(list(entries), list(patterns))
