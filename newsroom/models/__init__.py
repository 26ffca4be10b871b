from .activity import ClickFlush, DailyClickCount, Revision, Transition
from .content import Article, ArticleStatus, Attachment, Image, Rendition, ReviewItem
from .org import Category, Department, FriendlyLink, GreyMode, Membership, SiteSettings

__all__ = [
    "Article",
    "ArticleStatus",
    "Attachment",
    "Category",
    "ClickFlush",
    "DailyClickCount",
    "Department",
    "FriendlyLink",
    "GreyMode",
    "Image",
    "Membership",
    "Rendition",
    "ReviewItem",
    "Revision",
    "SiteSettings",
    "Transition",
]
