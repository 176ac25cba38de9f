"""What the sortable lists' FilterSets share (the lead list, the company list): the valid filters, whether
any narrows the list, and the sort chosen. A subclass sets SORTS (name → its ordering) and DEFAULT_SORT,
and has a `sort` filter that leaves the queryset as it is (the list applies the order itself)."""


class SortedListFilterMixin:
    SORTS: dict = {}
    DEFAULT_SORT = ""

    def keep_order(self, queryset, name, value):
        return queryset

    def valid_filters(self) -> dict:
        """The values of the filters given and valid (an invalid one is shown with its error and ignored)."""
        if not self.is_bound:
            return {}
        self.form.is_valid()
        return self.form.cleaned_data

    @property
    def filtered(self) -> bool:
        """Whether any filter narrows the list (the sort does not)."""
        return any(value not in (None, "") for name, value in self.valid_filters().items() if name != "sort")

    @property
    def chosen_sort(self) -> str:
        sort = self.valid_filters().get("sort") or self.DEFAULT_SORT
        return sort if sort in self.SORTS else self.DEFAULT_SORT
