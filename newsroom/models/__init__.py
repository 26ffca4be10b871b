from .content import Article, Image
from .org import Category, Department

__all__ = ["Article", "Category", "Department", "Image"]
