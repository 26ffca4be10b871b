from django.utils.functional import SimpleLazyObject, lazy

from newsroom.services.identity import site_identity


def site(request):
    """The site's name and settings (edited in the admin), looked up only when
    a template uses them."""
    settings = SimpleLazyObject(lambda: site_identity()[0])
    return {
        "site_name": lazy(lambda: settings.name, str)(),
        "site_settings": settings,
    }
