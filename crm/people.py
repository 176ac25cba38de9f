"""How Relay names a person on every page, export and choice list: the full name, else the username."""

from django import forms


def display_name(user) -> str:
    """ "Ann Lee", or "ann" when the user has no name; "" for no user."""
    if not user:
        return ""
    return user.get_full_name() or user.get_username()


def initials(user) -> str:
    """ "AL" for Ann Lee, "AN" for "ann" who has no name."""
    letters = f"{user.first_name[:1]}{user.last_name[:1]}".upper()
    return letters or user.get_username()[:2].upper()


class UserChoiceField(forms.ModelChoiceField):
    """A choice of users, each labelled with its display name."""

    def label_from_instance(self, obj):
        return display_name(obj)
