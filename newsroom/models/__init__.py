from .activity import ClickFlush, DailyClickCount, ReviewConfirmation, Revision, Transition
from .content import Article, ArticleStatus, Attachment, Image, Rendition, ReviewItem
from .health import ConfirmedDomain, Link, LinkOccurrence
from .legacy import ImportedArticle, ImportedFile, LegacyRedirect
from .org import (
    Category,
    Department,
    FriendlyLink,
    GreyMode,
    Membership,
    SiteHealth,
    SiteSettings,
)
from .safety import (
    AttachmentText,
    PersonalPattern,
    RulesStamp,
    SafetyLevel,
    ScanFinding,
    ScanRequest,
    WordEntry,
    WordList,
)

__all__ = [
    "AttachmentText",
    "PersonalPattern",
    "ReviewConfirmation",
    "RulesStamp",
    "SafetyLevel",
    "ScanFinding",
    "ScanRequest",
    "WordEntry",
    "WordList",
    "Article",
    "ArticleStatus",
    "Attachment",
    "Category",
    "ClickFlush",
    "ConfirmedDomain",
    "DailyClickCount",
    "Department",
    "FriendlyLink",
    "GreyMode",
    "Image",
    "ImportedArticle",
    "ImportedFile",
    "LegacyRedirect",
    "Link",
    "LinkOccurrence",
    "Membership",
    "Rendition",
    "ReviewItem",
    "Revision",
    "SiteHealth",
    "SiteSettings",
    "Transition",
]
