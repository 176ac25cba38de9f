"""Web and email domains in the one form Relay compares them in, and the domains that name no company.

`domain_key` folds what people type ("https://www.Acme.com/about", "ACME.com.", "bücher.de") to one
ASCII form ("acme.com", "xn--bcher-kva.de"): lower case, no scheme, path, port or trailing dot, no
leading "www.", internationalised names in their IDNA (punycode) spelling. `registrable_domain` drops
subdomains by the public suffix list shipped with tldextract (no download: Relay works offline), so
mail from eu.acme.co.uk finds the company of acme.co.uk.

Free-mail and disposable domains (gmail.com, mailinator.com) say nothing about a person's employer: a
lead's email there links no company. The list lives in `PersonalEmailDomain`, loaded from the data
shipped with Relay (`companies/data/free_mail.txt` and the disposable-email-domains package) and edited
by managers.
"""

import functools
import unicodedata

import tldextract

# No suffix list download, no cache directory: the snapshot inside the package.
_extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
MAX_DOMAIN_LENGTH = 253


def domain_key(text: str) -> str:
    """`text` (a domain, a URL or an email address) as a lower-case ASCII host name, or "" when it is none."""
    host = (text or "").strip()
    host = host.rpartition("@")[2] if "@" in host and "//" not in host else host
    host = host.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    host = host.rpartition("@")[2].split(":", 1)[0]
    host = unicodedata.normalize("NFKC", host).casefold().strip().strip(".")
    if host.startswith("www."):
        host = host[4:]
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return ""
    labels = host.split(".")
    if len(labels) < 2 or len(host) > MAX_DOMAIN_LENGTH or not all(labels):
        return ""
    if not all(label.replace("-", "").isalnum() and len(label) <= 63 for label in labels):
        return ""
    return host


@functools.lru_cache(maxsize=65536)
def registrable_domain(key: str) -> str:
    """The domain a company registered for `key` (a `domain_key`): "eu.acme.co.uk" → "acme.co.uk".
    A host under no known suffix is kept whole."""
    if not key:
        return ""
    parts = _extract(key)
    return parts.top_domain_under_public_suffix or key


def email_domain(email: str) -> str:
    """The registrable domain of an email address, "" when it has none."""
    return registrable_domain(domain_key((email or "").rpartition("@")[2]))


def name_key(name: str) -> str:
    """A company name in the form two spellings of one name share: "  ACME   Inc " and "Acme inc"."""
    return " ".join(unicodedata.normalize("NFKC", name or "").casefold().split())[:200]
