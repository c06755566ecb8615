"""Signals chains sends for the apps above it (they connect receivers; chains never imports them).

`chain_event_logged` is sent once the transaction that wrote a ChainEvent has committed, with `event_id`:
the notification glue (matchmaking.chain_notifications) tells the next party.
"""

from django.dispatch import Signal

chain_event_logged = Signal()
