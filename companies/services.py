"""Writes on companies: linking people to them by domain and name, creating, editing and merging them.

How a person finds their company (every door uses `companies_for`, one set-based pass per batch):
1. a `company_domain` given with them (an import column, an API field): the company owning that domain's
   registrable domain, created when there is none;
2. else their email's registrable domain, unless it is free mail or disposable (`PersonalEmailDomain`):
   the company owning it, created when there is none;
3. else a company name given with them: the oldest company of that exact normalised name, created
   (without a domain) when there is none;
4. else no company.
"""

from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from companies.defaults import disposable_domains
from companies.domains import domain_key, email_domain, name_key, registrable_domain
from companies.models import Company, CompanyDomain, CompanyMerge, CompanySize, PersonalEmailDomain


@dataclass(frozen=True)
class CompanyHint:
    """What a person says about their company: their email, a typed name, a web domain, and what the company
    is (industry, size band, country), which a company created for them starts with."""

    email: str = ""
    name: str = ""
    domain: str = ""
    industry: str = ""
    size_band: str = ""
    country: str = ""

    @classmethod
    def of(cls, person, *, domain: str = "") -> "CompanyHint":
        """The hint of a lead (or anything with a lead's contact fields)."""
        return cls(
            email=person.email or "",
            name=person.company or "",
            domain=domain or "",
            industry=person.industry or "",
            size_band=person.company_size or "",
            country=person.country or "",
        )

    def details(self) -> dict:
        """What a company created for this person starts with; a size that is no band is left blank (companies
        are created in bulk, which validates nothing)."""
        size_band = self.size_band if self.size_band in CompanySize.values else ""
        return {"industry": self.industry[:100], "size_band": size_band, "country": self.country[:60]}

    def keys(self, personal: set[str]) -> tuple[str, str]:
        """(the domain to link by, the name key to link by); either may be ""."""
        domain = registrable_domain(domain_key(self.domain))
        if not domain:
            domain = email_domain(self.email)
            if domain in personal or domain_key(self.email.rpartition("@")[2]) in personal:
                domain = ""
        return domain, name_key(self.name)


def personal_domains(domains) -> set[str]:
    """Those of `domains` (domain keys) that are free-mail or disposable: the shipped disposable list and
    the managers' list (`PersonalEmailDomain`, whose "company" rows are exceptions), in one query."""
    domains = {d for d in domains if d}
    if not domains:
        return set()
    personal = domains & disposable_domains()
    for domain, kind in PersonalEmailDomain.objects.filter(domain__in=domains).values_list("domain", "kind"):
        if kind == PersonalEmailDomain.Kind.COMPANY:
            personal.discard(domain)
        else:
            personal.add(domain)
    return personal


def display_name_for_domain(domain: str) -> str:
    """A name for a company known only by its domain: "acme.co.uk" → "Acme"."""
    label = domain.split(".")[0]
    if label.startswith("xn--"):
        try:
            label = label.encode("ascii").decode("idna")
        except UnicodeError:
            return domain
    return label.replace("-", " ").title() if label else domain


def companies_for(hints: list[CompanyHint], *, create: bool = True) -> list[Company | None]:
    """The company of each hint, in order (None where a hint names none), creating the missing ones.

    Set-based: a few queries per batch whatever its size. Safe against a concurrent writer creating the
    same domain: the domain's unique index decides, and the loser's new company is removed again."""
    keys = hint_keys(hints)
    by_domain = _companies_by_domain({d for d, _ in keys if d})
    by_name = _companies_by_name({n for d, n in keys if not d and n})
    if create:
        _create_missing(hints, keys, by_domain, by_name)
    return [by_domain.get(d) if d else by_name.get(n) if n else None for d, n in keys]


def hint_keys(hints: list[CompanyHint]) -> list[tuple[str, str]]:
    """(the domain, the name key) each hint links by (`CompanyHint.keys`), its email's personal domains
    looked up in one query."""
    candidates = set()
    for hint in hints:
        host = domain_key(hint.email.rpartition("@")[2])
        candidates.update({host, registrable_domain(host)})
    personal = personal_domains(candidates)
    return [hint.keys(personal) for hint in hints]


def company_for(*, email: str = "", name: str = "", domain: str = "", create: bool = True, hint=None) -> Company | None:
    """The company of one person (see the module docstring): `hint`, or one made of `email`, `name`, `domain`."""
    hint = hint or CompanyHint(email=email or "", name=name or "", domain=domain or "")
    return companies_for([hint], create=create)[0]


def _companies_by_domain(domains: set[str]) -> dict[str, Company]:
    rows = CompanyDomain.objects.filter(domain__in=domains).select_related("company")
    return {row.domain: row.company for row in rows}


def _companies_by_name(names: set[str]) -> dict[str, Company]:
    found = {}
    for company in Company.objects.filter(name_key__in=names).order_by("-id"):
        found[company.name_key] = company  # the oldest wins
    return found


def _create_missing(hints, keys, by_domain, by_name):
    new_domains, new_names, details = {}, {}, {}
    for hint, (domain, key) in zip(hints, keys, strict=True):
        if domain and domain not in by_domain:
            typed = " ".join(hint.name.split())[:200]
            if typed and not new_domains.get(domain):  # the first name typed for it, wherever it comes
                new_domains[domain], details[domain] = typed, hint.details()
            new_domains.setdefault(domain, "")
            details.setdefault(domain, hint.details())
        elif not domain and key and key not in by_name:
            new_names.setdefault(key, " ".join(hint.name.split())[:200])
            details.setdefault(key, hint.details())
    for domain, name in new_domains.items():
        new_domains[domain] = name or display_name_for_domain(domain)
    # A name given without a domain that names a company this batch creates for a domain joins that company
    # (a colleague writing from gmail.com), instead of making a twin without a domain.
    named_by_domain = {name_key(name): domain for domain, name in new_domains.items()}
    joining = {key: named_by_domain.pop(key) for key in list(new_names) if key in named_by_domain}
    for key in joining:
        del new_names[key]
    if not (new_domains or new_names):
        return
    now = timezone.now()
    with transaction.atomic():
        made = Company.objects.bulk_create(
            [
                Company(name=name, name_key=name_key(name), created_at=now, **details[domain])
                for domain, name in new_domains.items()
            ]
            + [Company(name=name, name_key=key, created_at=now, **details[key]) for key, name in new_names.items()]
        )
        if not all(company.pk for company in made):  # SQLite before 3.35 returns no ids
            made = list(Company.objects.filter(created_at=now).order_by("id"))
        with_domain = dict(zip(new_domains, made, strict=False))
        CompanyDomain.objects.bulk_create(
            [CompanyDomain(company=company, domain=domain) for domain, company in with_domain.items()],
            ignore_conflicts=True,
        )
        by_domain.update(_companies_by_domain(set(with_domain)))
        lost = [company.pk for domain, company in with_domain.items() if by_domain[domain].pk != company.pk]
        if lost:  # another writer created these domains first: theirs stand
            Company.objects.filter(pk__in=lost).delete()
        by_name.update(dict(zip(new_names, made[len(new_domains) :], strict=True)))
        by_name.update({key: by_domain[domain] for key, domain in joining.items()})


def mark_rollups_due(company_ids) -> None:
    """Ask for the roll-ups of these companies to be computed again (their people or deals changed).

    `company_ids`: ids, or a queryset of ids (`.values("account_id")`), used as a subquery. Marked in the
    current transaction (the mark commits with the change, so a dead process loses nothing) and once more
    after it commits: a refresh that cleared the flag while this transaction was still open may have
    computed without its change (`reports.accounts.rollups.refresh_due` clears, then computes), and the
    second mark makes the next sweep compute again. Each mark writes only rows not already due."""
    if isinstance(company_ids, QuerySet):
        companies = Company.objects.filter(pk__in=company_ids)
    else:
        ids = {pk for pk in company_ids if pk}
        if not ids:
            return
        companies = Company.objects.filter(pk__in=sorted(ids))
    companies = companies.filter(rollups_due=False)
    companies.update(rollups_due=True)
    transaction.on_commit(partial(companies.update, rollups_due=True), robust=True)


def mark_all_rollups_due() -> int:
    """Ask for every company's roll-ups (the fit rules or the account settings changed); returns how many."""
    return Company.objects.filter(rollups_due=False).update(rollups_due=True)


def add_domain(company: Company, domain: str) -> CompanyDomain:
    """Give `company` another web domain; ValueError when it is no domain or another company's."""
    key = registrable_domain(domain_key(domain))
    if not key:
        raise ValueError("Enter a web domain, such as acme.com.")
    try:
        with transaction.atomic():
            return CompanyDomain.objects.create(company=company, domain=key)
    except IntegrityError:
        owner = Company.objects.with_domain(key).first()
        if owner and owner.pk == company.pk:
            return CompanyDomain.objects.get(domain=key)
        raise ValueError(f"{key} belongs to {owner}.") from None


def merge_companies(*, keep: Company, merge: Company, by=None) -> CompanyMerge:
    """Merge `merge` into `keep`: every record that points at `merge` (people, deals, domains, earlier
    merges) moves to `keep`, `merge`'s names become `keep`'s aliases, `keep`'s blank fields take
    `merge`'s values, and the merge is recorded. Works for any relation to Company, present or future."""
    if keep.pk == merge.pk:
        raise ValueError("A company cannot be merged into itself.")
    with transaction.atomic():
        locked = {
            c.pk: c for c in Company.objects.select_for_update().filter(pk__in=[keep.pk, merge.pk]).order_by("pk")
        }
        if len(locked) != 2:
            raise ValueError("One of the companies no longer exists.")
        keep, merge = locked[keep.pk], locked[merge.pk]
        domains = list(merge.domains.values_list("domain", flat=True))
        moved = {}
        for relation in Company._meta.related_objects:
            if not (relation.one_to_many or relation.one_to_one):
                continue
            count = relation.related_model._base_manager.filter(**{relation.field.name: merge}).update(
                **{relation.field.name: keep}
            )
            if count:
                moved[relation.related_model._meta.verbose_name_plural.__str__()] = count
        names = [merge.name, *merge.aliases]
        keep.aliases = [n for n in dict.fromkeys([*keep.aliases, *names]) if name_key(n) != keep.name_key]
        for field in ("industry", "size_band", "country", "owner_id"):
            if not getattr(keep, field) and getattr(merge, field):
                setattr(keep, field, getattr(merge, field))
        keep.rollups_due = True
        keep._change_reason = f"merged with {merge.name}"
        keep.save()
        record = CompanyMerge.objects.create(
            into=keep, merged_company_id=merge.pk, merged_name=merge.name, merged_domains=domains, moved=moved, by=by
        )
        merge.delete()
    return record


# The fields a person edits on a company (the form and the API); the rest is derived or kept by merges.
EDITABLE_FIELDS = ("name", "industry", "size_band", "country", "owner")


def create_company(*, name: str, domains=(), **fields) -> Company:
    """A company entered by hand (a page or the API), with its web domains; ValueError, naming the domain,
    when one is no domain or another company's (nothing is created then)."""
    with transaction.atomic():
        company = Company(name=name, **{key: value for key, value in fields.items() if key in EDITABLE_FIELDS})
        company.full_clean()
        company.save()
        for domain in domains:
            add_domain(company, domain)
    return company


def update_company(*, company: Company, data: dict, add_domains=(), remove_domains=()) -> Company:
    """Change a company's details (the keys of `data` among EDITABLE_FIELDS), add and remove web domains, in
    one transaction; ValueError from `add_domain` undoes it all. Its people's roll-ups do not change."""
    with transaction.atomic():
        for key, value in data.items():
            if key in EDITABLE_FIELDS:
                setattr(company, key, value)
        company.full_clean()
        company.save()
        for domain in add_domains:
            add_domain(company, domain)
        remove_domain(company, remove_domains)
    return company


def remove_domain(company: Company, domains) -> int:
    """Take web domains (`domain_key` forms, as listed on the company) from `company`; returns how many."""
    keys = {domain_key(domain) for domain in domains} - {""}
    if not keys:
        return 0
    return company.domains.filter(domain__in=keys).delete()[0]


def add_personal_domain(*, domain: str, kind: str, by) -> PersonalEmailDomain:
    """Put `domain` (a `domain_key`) on the managers' list as `kind`, or change the kind it has. New captures
    follow the list at once; leads already linked keep their company."""
    row, _ = PersonalEmailDomain.objects.update_or_create(domain=domain, defaults={"kind": kind, "added_by": by})
    return row


def remove_personal_domain(*, row: PersonalEmailDomain) -> None:
    """Take a domain off the managers' list: its email addresses name a company again (unless the shipped
    disposable list has it)."""
    row.delete()
