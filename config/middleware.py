"""Language selection (Simplified Chinese unless the user chose another language) and throttled session renewal."""

import time

from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    """Activate the language from the language cookie, else LANGUAGE_CODE; ignore the browser's Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class SessionRefreshMiddleware:
    """Slide a signed-in session's expiry at most once per SESSION_REFRESH_SECONDS.

    A session still ends SESSION_COOKIE_AGE after the last activity (give or take those seconds), without a
    session write on every request, which Django's SESSION_SAVE_EVERY_REQUEST would cost. Listed after
    SessionMiddleware, so the session is saved (and its cookie renewed) on the way out when marked here.
    """

    KEY = "_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response
        self.every = settings.SESSION_REFRESH_SECONDS

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():  # anonymous without a session: do not create one
            return response
        now = int(time.time())
        if now - session.get(self.KEY, 0) >= self.every:
            session[self.KEY] = now
        return response
