"""The CLI's verbs over ``compiler.api``; ``compiler.cli`` registers them (the heavy ones
lazily, ``LAZY_COMMANDS``).
"""
