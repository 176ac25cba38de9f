from django import template

register = template.Library()


@register.filter
def hours_and_minutes(delta) -> str:
    """A time span as a rep reads an SLA: "3 h 12 min", "2 h", "45 min", "1 d 4 h", "under 1 min"."""
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else "under 1 min"
