from django.conf import settings
from django.utils.translation import gettext_lazy as _


def site(request):
    return {"site_name": settings.NEWSROOM_SITE_NAME or _("Campus News")}
