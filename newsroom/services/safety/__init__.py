"""
内容安全: content-safety checks of articles against the rules admins maintain
(word lists, personal-information detectors, site patterns). See the README.

``article_check`` finds the hits; ``submit_check`` and ``approve_check`` are
called by the workflow (newsroom/services/moderation.py) for every submission
and approval; ``article_mask_personal`` masks personal information.
"""

from .check import (
    BLOCKING,
    TO_CONFIRM,
    ConfirmationNeeded,
    ContentBlocked,
    Hit,
    Report,
    approve_check,
    article_check,
    attachment_content,
    submit_check,
)
from .matcher import Matcher, matcher_for

__all__ = [
    "BLOCKING",
    "TO_CONFIRM",
    "ConfirmationNeeded",
    "ContentBlocked",
    "Hit",
    "Matcher",
    "Report",
    "approve_check",
    "article_check",
    "attachment_content",
    "matcher_for",
    "submit_check",
]
