from django import template
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from .newsroom_images import rendition_img

register = template.Library()


@register.filter
def minutes(duration):
    """Whole minutes of a timedelta, rounded up (for "try again in N minutes")."""
    if duration is None:
        return ""
    return max(1, -(-int(duration.total_seconds()) // 60))


def article_row(article, *, now, zone, badge):
    """
    One row of an article list: thumbnail, 置顶 badge, title, date.

    Written in Python rather than as an included template: a list page renders
    twenty of them and an ``{% include %}`` per row was most of its time.
    """
    # Plain string building: the URL and dates are made here and only the
    # title comes from users, so it alone needs escaping.
    url = article.get_absolute_url()
    local = article.publish_at.astimezone(zone)
    thumb = ""
    if article.cover_id and article.cover:
        image = rendition_img(article.cover, "thumb", sizes_attr="96px", alt="")
        thumb = (
            f'<a class="article-row__thumb" href="{url}" tabindex="-1" aria-hidden="true">'
            f"{image}</a>"
        )
    return (
        f'<li class="article-row{" article-row--with-thumb" if thumb else ""}">{thumb}'
        f'<a class="article-row__title" href="{url}">'
        f"{badge if article.is_pinned_now(at=now) else ''}{escape(article.title)}</a>"
        f'<time class="article-row__date" datetime="{local.isoformat()}">'
        f"{local:%Y-%m-%d}</time></li>"
    )


@register.simple_tag
def article_rows(articles):
    """Every row of a list, sharing one notion of "now" for the pins, the time
    zone and the 置顶 badge."""
    now = timezone.now()
    zone = timezone.get_current_timezone()
    badge = f'<span class="badge">{escape(gettext("Pinned"))}</span> '
    return mark_safe("\n".join(article_row(a, now=now, zone=zone, badge=badge) for a in articles))
