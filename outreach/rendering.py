"""Merge fields: an email template's subject and body, in Django's template syntax, filled in for one lead.

Templates are written by people, so they run in a sandbox. The engine knows two tags (`{% if %}` and
`{% comment %}`) and a few text filters, and nothing that loads or includes (`{% load %}`, `{% include %}`,
`{% extends %}`, `{% url %}` are syntax errors). Its context holds plain strings only, never a model: a
template cannot reach the database. Every variable a template names must be one of MERGE_FIELDS; anything
else is refused with the field's name when the template is saved or previewed (`check`), never rendered as
an empty string.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template import Context, Engine, Library, TemplateSyntaxError, defaultfilters, defaulttags
from django.template.base import FilterExpression, Node, VariableNode
from django.template.defaulttags import IfNode
from django.template.smartif import TokenBase

from crm.models import signature_of
from crm.people import display_name
from crm.text import one_line

# The merge fields a template may use, with what each one says (shown beside the template editor).
MERGE_FIELDS = {
    "lead.first_name": "The person's first name",
    "lead.last_name": "The person's last name",
    "lead.full_name": "First and last name",
    "lead.company": "The company they work for",
    "company.name": "The company they work for (as lead.company)",
    "rep.name": "Your name",
    "rep.first_name": "Your first name",
    "rep.signature": "Your signature (Profile)",
    "deal.title": "The deal the email is about (blank without one)",
}
ALLOWED_TAGS = ("if", "comment")
ALLOWED_FILTERS = ("default", "default_if_none", "upper", "lower", "title", "capfirst")


class MergeError(ValueError):
    """A template that cannot be used: its syntax, a tag or filter outside the sandbox, an unknown field."""


def _sandbox_library() -> Library:
    library = Library()
    library.tags.update({name: defaulttags.register.tags[name] for name in ALLOWED_TAGS})
    library.filters.update({name: defaultfilters.register.filters[name] for name in ALLOWED_FILTERS})
    return library


def _engine(*, autoescape: bool) -> Engine:
    engine = Engine(autoescape=autoescape, libraries={})
    engine.template_builtins = [_sandbox_library()]  # in place of Django's tags and filters: only these
    engine.template_libraries = {}
    return engine


TEXT_ENGINE = _engine(autoescape=False)
HTML_ENGINE = _engine(autoescape=True)


def _expressions(node: Node):
    """The filter expressions a node of the sandbox evaluates (`{{ x|f:y }}`, the conditions of an `if`)."""
    if isinstance(node, VariableNode):
        yield node.filter_expression
    elif isinstance(node, IfNode):
        for condition, _ in node.conditions_nodelists:
            yield from _condition_expressions(condition)


def _condition_expressions(condition):
    if condition is None:
        return
    value = getattr(condition, "value", None)
    if isinstance(value, FilterExpression):
        yield value
    for part in (getattr(condition, "first", None), getattr(condition, "second", None)):
        if isinstance(part, TokenBase):
            yield from _condition_expressions(part)


def _names(expression: FilterExpression):
    """The variable names an expression reads: its own and its filters' arguments (literals are not names)."""
    variables = [expression.var, *(arg for _, args in expression.filters for _, arg in args)]
    for variable in variables:
        lookups = getattr(variable, "lookups", None)
        if lookups:
            yield ".".join(lookups)


def _syntax_message(exc: TemplateSyntaxError) -> str:
    text = str(exc)
    if text.startswith("Invalid block tag"):
        tag = text.split("'")[1] if "'" in text else "?"
        return f"{{% {tag} %}} cannot be used in an email template: only {{% if %}} and {{% comment %}}."
    if text.startswith("Invalid filter"):
        name = text.split("'")[1] if "'" in text else "?"
        allowed = ", ".join(f"|{f}" for f in ALLOWED_FILTERS)
        return f"The filter |{name} cannot be used in an email template: only {allowed}."
    return f"This is not valid template syntax: {text}"


def compile_text(source: str, *, html: bool = False):
    """`source` compiled in the sandbox; MergeError saying what is wrong (the first unknown field by name)."""
    try:
        template = (HTML_ENGINE if html else TEXT_ENGINE).from_string(source or "")
    except TemplateSyntaxError as exc:
        raise MergeError(_syntax_message(exc)) from exc
    for node in template.nodelist.get_nodes_by_type(Node):
        for expression in _expressions(node):
            for name in _names(expression):
                if name not in MERGE_FIELDS:
                    raise MergeError(f"Unknown merge field {{{{ {name} }}}}: use one of {', '.join(MERGE_FIELDS)}.")
    return template


def check(source: str) -> None:
    """Raise MergeError when `source` cannot be a template's subject or body."""
    compile_text(source)


def validate_merge_fields(source: str) -> None:
    """Validator of a form or serializer field holding a subject or body: the MergeError as a field error."""
    try:
        check(source)
    except MergeError as exc:
        raise ValidationError(str(exc), code="merge_field") from exc


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def merge_context(*, lead, rep, deal=None) -> dict:
    """What the merge fields say for `lead` written to by `rep` (about `deal`): plain strings only."""
    company = lead.account.name if lead.account_id else lead.company
    return {
        "lead": {
            "first_name": lead.first_name,
            "last_name": lead.last_name,
            "full_name": lead.full_name,
            "company": company,
        },
        "company": {"name": company},
        "rep": _rep(rep),
        "deal": {"title": deal.title if deal else ""},
    }


def _rep(rep) -> dict:
    return {
        "name": display_name(rep),
        "first_name": rep.first_name or display_name(rep),
        "signature": signature_of(rep),
    }


def sample_context(*, rep) -> dict:
    """The merge fields for a made-up person, to preview a template without choosing a lead."""
    return {
        "lead": {"first_name": "Dana", "last_name": "Okafor", "full_name": "Dana Okafor", "company": "Acme Ltd"},
        "company": {"name": "Acme Ltd"},
        "rep": _rep(rep),
        "deal": {"title": "Acme Ltd: 50 seats"},
    }


def render_message(*, subject: str, body: str, context: dict, html: bool = False) -> Rendered:
    """The subject (one line) and body filled in from `context`: plain text, or escaped for HTML with `html`."""
    subject_template = compile_text(subject)
    body_template = compile_text(body, html=html)
    return Rendered(
        subject=one_line(subject_template.render(Context(context, autoescape=False)), 200),
        body=body_template.render(Context(context, autoescape=html)).strip(),
    )
