from django import template

from agenda.access import can_edit_task

register = template.Library()


@register.filter
def editable_by(task, user) -> bool:
    """`{% if task|editable_by:request.user %}`: whether the row offers Done and Snooze."""
    return can_edit_task(user, task)
