from .activity import ClickFlush, DailyClickCount, Revision, Transition
from .content import Article, ArticleStatus, Attachment, Image, Rendition, ReviewItem
from .health import ConfirmedDomain, Link, LinkOccurrence
from .org import Category, Department, Membership, SiteHealth

__all__ = [
    "Article",
    "ArticleStatus",
    "Attachment",
    "Category",
    "ClickFlush",
    "ConfirmedDomain",
    "DailyClickCount",
    "Department",
    "Image",
    "Link",
    "LinkOccurrence",
    "Membership",
    "Rendition",
    "ReviewItem",
    "Revision",
    "SiteHealth",
    "Transition",
]
