from django.utils import translation
from django.views.defaults import page_not_found as django_page_not_found

from newsroom.models import Department


def page_not_found(request, exception, template_name="404.html"):
    """The site's 404, in the language of the department the address is under."""
    first = request.path_info.strip("/").split("/", 1)[0]
    department = Department.objects.cached(first) if first else None
    if department is not None:
        translation.activate(department.language)
    return django_page_not_found(request, exception, template_name)
