"""``fibrolang serve``: a CDS Hooks 2.0 service for compiled guidelines (docs/cds-hooks.md).

It lives in the toolchain, not in the runtime package ``fibrolang``: it compiles
``.fibro`` files at start-up and draws the patient's highlighted flowchart with
Graphviz, both of which are the compiler's work, and the runtime never imports
``compiler``. FastAPI, uvicorn and httpx come with the optional extra
``fibrolang[serve]``; only ``compiler.serve.app`` (and the modules it alone
imports) import them, so ``compiler.serve.summaries`` and ``compiler.serve.cards``
stay importable (by the checker, say) without the extra.
"""
