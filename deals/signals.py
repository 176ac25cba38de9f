"""What the pipeline tells the apps downstream of it, which it does not know.

`deal_moved` is sent in the transaction of every stage change (`services.move_deal`), with the deal, the
stage it left and the one it entered, who moved it and when. The hand-over app moves the deal's lead along
the funnel from it: deals do not know leads (DOMAIN.md "The hand-over"; `handoff.services`).

`deal_reassigned` is sent in the transaction of every change of a deal's owner (`services.update_deal`), with
the deal (its new owner set), the previous owner, who reassigned it and when.
The hand-over app gives the deal's lead to the new owner from it.
"""

from django.dispatch import Signal

deal_moved = Signal()
deal_reassigned = Signal()
