"""Order pages (thin): parse input, call a service, render. Objects come only through `visible_to` (404 outside).

One module per concern: `lists` (workbench and order lists), `orders` (one order: page, forms, workflow actions),
`proposals` (respond, accept, decline, attachments), `inbox` (messages, preferences, subscriptions); `common`
holds what they share. The URLs (`matchmaking.order_urls`) name the views by module.
"""
