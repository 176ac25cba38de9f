"""GET /api/v1/search/?q=: the search box's results, grouped by kind."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from crm.roles import RolePermission
from search.selectors import KINDS, search_everything


class SearchResultSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[kind for kind, _ in KINDS])
    id = serializers.IntegerField()
    label = serializers.CharField()
    detail = serializers.CharField(help_text="The line that tells it from others of the same name.")
    url = serializers.CharField(help_text="Its page in Relay.")


@extend_schema(
    parameters=[OpenApiParameter("q", str, description="The words to find (at most 10, 200 characters).")],
    responses=inline_serializer("SearchResults", {kind: SearchResultSerializer(many=True) for kind, _ in KINDS}),
)
@api_view(["GET"])
@permission_classes([RolePermission])
def search(request):
    """Leads, companies, deals and campaigns matching `q`, up to 5 of each, each kind as its list would
    show it to this user."""
    results = search_everything(request.user, request.query_params.get("q", ""))
    return Response({kind: SearchResultSerializer(rows, many=True).data for kind, rows in results.items()})
