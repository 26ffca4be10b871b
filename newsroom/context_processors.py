from django.conf import settings


def site(request):
    return {"NEWSROOM_SITE_NAME": settings.NEWSROOM_SITE_NAME}
