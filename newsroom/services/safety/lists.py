"""
Word lists as text: one entry a line, ``词语<TAB>类别<TAB>级别<TAB>建议`` (the
last three optional), UTF-8. Levels are written 禁用, 慎用 or 易错 (or blocked,
caution, correction); a line without one is 慎用. An 易错 entry needs its
right form as the suggestion.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from newsroom.models import SafetyLevel, WordEntry
from newsroom.models.safety import rules_changed

LEVEL_NAMES = {
    "禁用": SafetyLevel.BLOCKED,
    "blocked": SafetyLevel.BLOCKED,
    "慎用": SafetyLevel.CAUTION,
    "caution": SafetyLevel.CAUTION,
    "易错": SafetyLevel.CORRECTION,
    "易错词": SafetyLevel.CORRECTION,
    "固定表述": SafetyLevel.CORRECTION,
    "correction": SafetyLevel.CORRECTION,
}
LEVEL_WRITTEN = {
    SafetyLevel.BLOCKED: "禁用",
    SafetyLevel.CAUTION: "慎用",
    SafetyLevel.CORRECTION: "易错",
}
MAX_WORD = WordEntry._meta.get_field("word").max_length
MAX_CATEGORY = WordEntry._meta.get_field("category").max_length
MAX_SUGGESTION = WordEntry._meta.get_field("suggestion").max_length


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    errors: list = field(default_factory=list)  # (line number, message)


def parse_line(line: str):
    """(word, category, level, suggestion) of one line; ValueError says what is wrong."""
    parts = [part.strip() for part in line.split("\t")]
    if len(parts) > 4:
        raise ValueError(_("more than four columns"))
    word, category, level, suggestion = (parts + ["", "", "", ""])[:4]
    if not word:
        raise ValueError(_("the word is empty"))
    if level and level.lower() not in LEVEL_NAMES:
        raise ValueError(_("unknown level “%(level)s” (禁用, 慎用 or 易错)") % {"level": level})
    level = LEVEL_NAMES[level.lower()] if level else SafetyLevel.CAUTION
    if level == SafetyLevel.CORRECTION and not suggestion:
        raise ValueError(_("an 易错 entry needs the right form as its suggestion"))
    for value, limit in ((word, MAX_WORD), (category, MAX_CATEGORY), (suggestion, MAX_SUGGESTION)):
        if len(value) > limit:
            raise ValueError(_("a column is longer than %(limit)d characters") % {"limit": limit})
    return word, category, level, suggestion


@transaction.atomic
def wordlist_import(*, word_list, text: str, replace: bool = False) -> ImportResult:
    """
    Add the entries of ``text`` to the list (a word already there is updated).
    With an error on any line nothing is changed. ``replace`` removes the
    words the text does not have.
    """
    result = ImportResult()
    parsed = {}
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            word, category, level, suggestion = parse_line(line)
        except ValueError as error:
            result.errors.append((number, str(error)))
            continue
        parsed[word] = (category, level, suggestion)
    if result.errors:
        return result
    existing = {entry.word: entry for entry in word_list.entries.all()}
    new, changed = [], []
    for word, (category, level, suggestion) in parsed.items():
        entry = existing.get(word)
        if entry is None:
            new.append(
                WordEntry(
                    word_list=word_list,
                    word=word,
                    category=category,
                    level=level,
                    suggestion=suggestion,
                )
            )
        elif (entry.category, entry.level, entry.suggestion) != (category, level, suggestion):
            entry.category, entry.level, entry.suggestion = category, level, suggestion
            changed.append(entry)
    WordEntry.objects.bulk_create(new, batch_size=1000)
    WordEntry.objects.bulk_update(changed, ["category", "level", "suggestion"], batch_size=1000)
    if replace:
        gone = [entry.pk for word, entry in existing.items() if word not in parsed]
        for start in range(0, len(gone), 1000):
            WordEntry.objects.filter(pk__in=gone[start : start + 1000]).delete()
        result.removed = len(gone)
    result.created, result.updated = len(new), len(changed)
    word_list.save(update_fields=["updated_at"])
    rules_changed()
    return result


def wordlist_export(word_list) -> str:
    """The list in the import format, one entry a line."""
    lines = [
        "\t".join(
            (entry.word, entry.category, LEVEL_WRITTEN[entry.level], entry.suggestion)
        ).rstrip("\t")
        for entry in word_list.entries.order_by("word")
    ]
    return "\n".join(lines) + ("\n" if lines else "")
