"""What the pipeline tells the apps downstream of it, which it does not know.

`deal_moved` is sent in the transaction of every stage change (`services.move_deal`), with the deal, the
stage it left and the one it entered, who moved it and when. The hand-over app moves the deal's lead along
the funnel from it: deals do not know leads (DOMAIN.md "The hand-over"; `handoff.services`).
"""

from django.dispatch import Signal

deal_moved = Signal()
