"""The personal email domains Relay ships with: the free-mail list in `data/free_mail.txt`, loaded into
`PersonalEmailDomain` where managers edit it, and the disposable-domain list of the disposable-email-domains
package (about 10,000 domains, updated with the package), read in place."""

import functools
from pathlib import Path

FREE_MAIL_FILE = Path(__file__).parent / "data" / "free_mail.txt"


def shipped_free_mail() -> list[str]:
    lines = (line.strip().lower() for line in FREE_MAIL_FILE.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@functools.cache
def disposable_domains() -> frozenset[str]:
    from disposable_email_domains import blocklist

    return frozenset(blocklist)


def ensure_personal_domains(model, using="default") -> int:
    """Load the shipped free-mail list into `model` (PersonalEmailDomain), keeping every domain already
    there (a manager's change wins). Returns how many were added."""
    known = set(model.objects.using(using).values_list("domain", flat=True))
    rows = [model(domain=domain, kind="free") for domain in shipped_free_mail() if domain not in known]
    model.objects.using(using).bulk_create(rows, ignore_conflicts=True)
    return len(rows)
