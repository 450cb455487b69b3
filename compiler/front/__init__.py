"""The front end: a guideline file read (only a regular file, UTF-8), parsed with the
Lark grammar, its syntax errors said in the author's words, and built into the syntax
tree (``syntax``); ``pipeline`` does it in one call.
"""
