"""API error answers that DRF leaves to Django."""

from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.template.defaultfilters import filesizeformat
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler, plus 413 in JSON for a body over REQUEST_MAX_BYTES: Django would answer an HTML 400,
    which tells an integration neither what went wrong nor that a smaller batch would go through."""
    if isinstance(exc, RequestDataTooBig):
        limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        detail = f"The request body is larger than {limit}: send fewer events or records per request."
        return Response({"detail": detail}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    return drf_exception_handler(exc, context)


def as_api_error(exc: DjangoValidationError) -> ValidationError:
    """A Django ValidationError (a service's refusal, `full_clean`) as DRF's 400, naming the fields it names."""
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


@contextmanager
def model_errors_as_400():
    """A Django ValidationError raised inside (a service's refusal, `full_clean`) as DRF's 400, naming the
    fields it names."""
    try:
        yield
    except DjangoValidationError as exc:
        raise as_api_error(exc) from exc
