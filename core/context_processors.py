from django.conf import settings


def site(request):
    return {"support_email": settings.SALYNC_SUPPORT_EMAIL}
