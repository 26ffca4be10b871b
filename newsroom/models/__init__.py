from .activity import ClickFlush, DailyClickCount, Revision, Transition
from .content import Article, ArticleStatus, Attachment, Image, Rendition, ReviewItem
from .legacy import ImportedArticle, ImportedFile, LegacyRedirect
from .org import Category, Department, Membership

__all__ = [
    "Article",
    "ArticleStatus",
    "Attachment",
    "Category",
    "ClickFlush",
    "DailyClickCount",
    "Department",
    "Image",
    "ImportedArticle",
    "ImportedFile",
    "LegacyRedirect",
    "Membership",
    "Rendition",
    "ReviewItem",
    "Revision",
    "Transition",
]
