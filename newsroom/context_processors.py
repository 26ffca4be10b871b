from django.utils.functional import SimpleLazyObject, lazy

from newsroom.services.identity import site_identity

# Built once: lazy() makes a new proxy class each time it is called.
_lazy_name = lazy(lambda settings: settings.name, str)


def site(request):
    """The site's name and settings (edited in the admin), looked up only when
    a template uses them."""
    settings = SimpleLazyObject(lambda: site_identity()[0])
    return {
        "site_name": _lazy_name(settings),
        "site_settings": settings,
    }
