"""
What the header and footer of a page show (the site's identity over a
department's, grey mode decided now), kept under the content version; and
logos and header banners, uploaded through the same checks as every image,
with renditions of their own shape (newsroom/core/renditions.py).
"""

from dataclasses import dataclass

from django.utils import timezone

from newsroom.core.content_version import versioned_value
from newsroom.core.renditions import renditions_generate
from newsroom.models import FriendlyLink, SiteSettings
from newsroom.services.uploads import image_create_from_upload
from newsroom.urlcache import url_for

IDENTITY_CACHE_SECONDS = 3600

IDENTITY_KINDS = {"logo": ("logo",), "banner": ("banner",)}


def identity_image_upload(*, uploaded_file, user, field: str):
    """Store an uploaded logo or banner as an Image (checked and re-encoded like
    any upload) with its renditions; raises ``uploads.UploadRejected``."""
    image = image_create_from_upload(uploaded_file=uploaded_file, user=user)
    renditions_generate(image, IDENTITY_KINDS[field])
    return image


def identity_renditions_ensure(owner):
    """Make the logo and banner renditions of a department's or the site's
    images (one chosen from the library has only the usual ones)."""
    for field, kinds in IDENTITY_KINDS.items():
        image = getattr(owner, field)
        if image is not None:
            renditions_generate(image, kinds)


def site_identity():
    """
    (site settings, {department id or None: [links]}): kept under the content
    version like the site map, so a page needs no query for them. The
    settings are an unsaved default until a site admin saves them.
    """

    def build():
        found = SiteSettings.objects.select_related("logo", "banner").filter(pk=1).first()
        links = {}
        for link in FriendlyLink.objects.all():
            links.setdefault(link.department_id, []).append(link)
        return found or SiteSettings(), links

    return versioned_value("site-identity", build, IDENTITY_CACHE_SECONDS)


@dataclass(frozen=True)
class Identity:
    """What the header and footer of one page show, the department's values
    over the site's."""

    name: str
    english_name: str
    home_url: str
    logo: object
    banner: object
    copyright: str
    address: str
    postcode: str
    phone: str
    email: str
    links: list
    grey: bool
    site: SiteSettings


def identity_of(department=None, *, at=None) -> Identity:
    """The identity a page of ``department`` (or of the site) shows, grey mode
    decided now (at request time, like publishing)."""
    site, links = site_identity()
    department = department or None  # a template's undefined value counts as none

    def pick(field):
        own = getattr(department, field, None) if department is not None else None
        return own or getattr(site, field)

    at = at or timezone.now()
    if department is not None:
        name, english_name = department.name, department.english_name
        home_url = department.get_absolute_url()
        grey = site.is_grey(at=at) or department.is_grey(at=at)
        own_links = links.get(department.pk)
    else:
        name, english_name = site.name, site.english_name
        home_url = url_for("newsroom:home")
        grey = site.is_grey(at=at)
        own_links = None
    return Identity(
        name=name,
        english_name=english_name,
        home_url=home_url,
        logo=pick("logo"),
        banner=pick("banner"),
        copyright=pick("copyright"),
        address=pick("address"),
        postcode=pick("postcode"),
        phone=pick("phone"),
        email=pick("email"),
        links=own_links or links.get(None, []),
        grey=grey,
        site=site,
    )
