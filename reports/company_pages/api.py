"""REST endpoints for companies: the list's filters, reading, creating, editing and merging, with the pages'
permissions (every role reads; marketers and managers create, edit and merge; a sales rep edits their own)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from companies.filters import CompanyFilter, sorted_companies
from companies.selectors import can_create_companies, can_edit_company, can_merge_companies, companies_visible_to
from companies.services import create_company, merge_companies, update_company
from crm.api_errors import as_api_error
from crm.roles import MANAGER, MARKETER, SALES_REP, role_permission
from leads.selectors import PAGE_COUNT_LIMIT, estimated_count, exact_count
from reports.company_pages.serializers import CompanyMergeSerializer, CompanySerializer


class CheapCountPaginator(Paginator):
    """`count` exact up to PAGE_COUNT_LIMIT, PostgreSQL's estimate beyond: no COUNT over 200,000 rows."""

    @cached_property
    def count(self):
        exact = exact_count(self.object_list, PAGE_COUNT_LIMIT)
        return exact if exact is not None else max(estimated_count(self.object_list.order_by()), PAGE_COUNT_LIMIT + 1)


class CompanyPages(PageNumberPagination):
    django_paginator_class = CheapCountPaginator
    page_size = 50


@extend_schema_view(
    list=extend_schema(summary="List companies (filters as on the company list; `count` is an estimate above 1,000)"),
    retrieve=extend_schema(summary="One company"),
    create=extend_schema(summary="Create a company (marketers and managers)"),
    update=extend_schema(summary="Replace a company's details (a sales rep: their own companies)"),
    partial_update=extend_schema(summary="Change some of a company's details (a sales rep: their own companies)"),
)
class CompanyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CompanySerializer
    permission_classes = [role_permission(write=(MARKETER, SALES_REP, MANAGER))]
    filterset_class = CompanyFilter
    pagination_class = CompanyPages

    def get_queryset(self):
        companies = companies_visible_to(self.request.user).select_related("owner").prefetch_related("domains")
        return companies.order_by("name", "id")

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return sorted_companies(queryset, self.request.query_params.get("sort", ""))

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not can_edit_company(request.user, obj):
            raise PermissionDenied("You can only change the companies you own.")

    def create(self, request, *args, **kwargs):
        if not can_create_companies(request.user):
            raise PermissionDenied("Marketers and managers create companies.")
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        with _refusals_as_api_errors():
            serializer.instance = create_company(domains=data.pop("domains", []), **data)

    def perform_update(self, serializer):
        data, company = dict(serializer.validated_data), serializer.instance
        domains = data.pop("domains", None)
        current = set(company.domains.values_list("domain", flat=True))
        changes = {"add_domains": [], "remove_domains": []}
        if domains is not None:
            changes = {
                "add_domains": [d for d in domains if d not in current],
                "remove_domains": current - set(domains),
            }
        with _refusals_as_api_errors():
            serializer.instance = update_company(company=company, data=data, **changes)

    @extend_schema(
        request=CompanyMergeSerializer,
        responses={200: CompanySerializer, 400: OpenApiResponse(description="Field errors, by field.")},
        summary="Merge a duplicate into this company (marketers and managers)",
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Move the duplicate's people, deals, domains and names into this company and delete the duplicate."""
        if not can_merge_companies(request.user):
            raise PermissionDenied("Marketers and managers merge companies.")
        keep = self.get_object()
        params = CompanyMergeSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        other = companies_visible_to(request.user).filter(pk=params.validated_data["merge"]).first()
        if other is None:
            raise ValidationError({"merge": ["No company has this id (was it merged already?)."]})
        with _refusals_as_api_errors(field="merge"):
            merge_companies(keep=keep, merge=other, by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=keep.pk)).data)


class _refusals_as_api_errors:  # noqa: N801 - used as a context manager, named for what it does
    """A service's ValueError (a domain that is another company's) or ValidationError, as a 400 by field."""

    def __init__(self, field: str = "domains"):
        self.field = field

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, traceback):
        if isinstance(exc, ValueError):
            raise ValidationError({self.field: [str(exc)]}) from exc
        if isinstance(exc, DjangoValidationError):
            raise as_api_error(exc) from exc
        return False
