from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from newsroom.services.renditions import sizes

register = template.Library()


@register.simple_tag
def rendition_img(image, kind, sizes_attr="100vw", css_class="", alt=None, eager=False):
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
    urls = [size.url for size in options]
    srcset = ", ".join(f"{url} {size.width}w" for url, size in zip(urls, options, strict=True))
    # URLs are built from stored names (escaped all the same); alt text and the
    # class come from people and templates, so every value goes through escape().
    extra = f' class="{escape(css_class)}"' if css_class else ""
    if not eager:  # pictures below the fold load when scrolled to
        extra += ' loading="lazy"'
    return mark_safe(
        f'<img src="{escape(urls[options.index(default)])}" srcset="{escape(srcset)}" '
        f'sizes="{escape(sizes_attr)}" width="{default.width}" height="{default.height}" '
        f'alt="{escape(image.alt_text if alt is None else alt)}"{extra} decoding="async">'
    )


@register.simple_tag
def og_image_url(image):
    """The largest cover rendition (Open Graph previews want a big 16:9 picture)."""
    options = sizes(image, "cover")
    return options[-1].url if options else image.url
