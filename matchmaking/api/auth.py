"""Token login for API clients; the same lockout (django-axes) and approval rules as the web login."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from matchmaking.api.errors import error_responses


class LockedOut(exceptions.PermissionDenied):
    """Too many failed logins: the account is locked for a while."""

    default_detail = _("登录失败次数过多，账号已被暂时锁定，请稍后再试或联系管理员。")
    default_code = "locked_out"


class TokenRequestSerializer(serializers.Serializer):
    """Credentials."""

    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class ObtainTokenView(APIView):
    """POST {"username", "password"} → {"token"}; failed attempts count toward the account lockout."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        summary="获取 API 令牌",
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
                   **error_responses(400, 403, 429)},
        auth=[],
    )  # fmt: skip
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        django_request = request._request
        user = authenticate(
            request=django_request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if getattr(django_request, "axes_locked_out", False):
            # Answer in the API's error shape ourselves instead of the middleware's HTML lockout page.
            django_request.axes_locked_out = False
            raise LockedOut()
        if user is None:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("用户名或密码错误，或账号尚未通过审核。")]},
                code="invalid_credentials",
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
