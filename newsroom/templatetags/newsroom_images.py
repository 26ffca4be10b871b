from django import template
from django.utils.html import format_html

from newsroom.services.renditions import sizes

register = template.Library()


@register.simple_tag
def rendition_img(image, kind, sizes_attr="100vw", css_class="", alt=None, lazy=True):
    """
    An <img> of a rendition with width/height and a srcset of every width.

    ``src`` is the smallest width that still looks sharp at the layout size
    browsers assume without ``sizes`` support; ``sizes_attr`` tells the rest.
    """
    if image is None:
        return ""
    options = sizes(image, kind)
    if not options:
        return ""
    default = options[1] if len(options) > 1 else options[0]
    srcset = ", ".join(f"{size.url} {size.width}w" for size in options)
    return format_html(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{}{} '
        'decoding="async">',
        default.url,
        srcset,
        sizes_attr,
        default.width,
        default.height,
        image.alt_text if alt is None else alt,
        format_html(' class="{}"', css_class) if css_class else "",
        format_html(' loading="{}"', "lazy") if lazy else "",
    )


@register.simple_tag
def og_image_url(image):
    """The largest cover rendition (Open Graph previews want a big 16:9 picture)."""
    options = sizes(image, "cover")
    return options[-1].url if options else image.url
