"""What scoring tells the apps downstream of leads, which it does not know.

`leads_qualified` is sent after a scoring run has committed, with `ready`: the leads that now qualify for a
hand-over (lead id → the ticket of its score request, or None). The hand-over app hands them over and
consumes their requests (`handoff.services.hand_over_qualified`); until it does, the requests stay queued,
so a worker that dies in between loses nothing.
"""

from django.dispatch import Signal

leads_qualified = Signal()
