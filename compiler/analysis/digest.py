"""Structural digests of path-condition terms: a question's exact content as a SHA-256,
without printing it (the key of ``recall``).

The digest of a z3 term is the SHA-256 of its declaration as z3 prints it
(``Z3_func_decl_to_string``: the operator, or a constant's name, domain and sort, with any
parameters), and the digests of its arguments in order; a numeral's is its value and sort as
z3 prints them; a term with parameters z3 does not put into its declaration's text (a string
literal, say) adds its own text (``Z3_ast_to_string``). So two terms have the same digest
exactly when they are the same term (up to SHA-256 collisions): the same operators, names,
sorts and values in the same places.

A name that ``paths.PathConditions`` defines (``~reach N`` and the others) is, in a digest, its
declaration AND the digest of its definition, so the digest of a term covers its whole cone of
influence (``cone.Cones``): every equation the term depends on, through every name it reads.
Two questions whose goals have the same digests therefore ask the solver the same thing (the
same goals over the same definitions), whatever else differs between the two graphs.

The terms are read through z3's C API, without z3py's wrappers and error checks (``capi``;
the walk reads about 2,300 terms for fibromyalgia, in about 15 ms); each term's digest is kept
by its z3 id only while ``paths`` keeps the term alive (z3 reuses the ids of terms that no
longer exist), the terms of a question's own goals only for that question.
"""

from __future__ import annotations

import ctypes
import hashlib
from collections.abc import Sequence

import z3

from compiler.analysis import capi
from compiler.analysis.encode import Term
from compiler.analysis.paths import PathConditions


class NotDigestible(Exception):
    """A term of a kind the digests do not describe (a quantifier, a bound variable), or a name
    defined twice: no question of these path conditions is recalled."""


_ID = capi.AST_ID
_KIND = capi.AST_KIND
_ARITY = capi.APP_ARITY
_ARGUMENT = capi.APP_ARGUMENT
_DECLARATION = capi.APP_DECLARATION
_DECLARATION_TEXT = capi.DECLARATION_TEXT
_PARAMETERS = capi.DECLARATION_PARAMETERS
_DECLARATION_KIND = capi.DECLARATION_KIND
_DECLARATION_ARITY = capi.DECLARATION_ARITY
_DECLARATION_NAME = capi.DECLARATION_NAME
_SYMBOL_KIND = capi.SYMBOL_KIND
_SYMBOL_TEXT = capi.SYMBOL_TEXT
_NUMERAL_TEXT = capi.NUMERAL_TEXT
_SORT = capi.SORT_OF
_SORT_TEXT = capi.SORT_TEXT
_TERM_TEXT = capi.TERM_TEXT
_APP = int(z3.Z3_APP_AST)
_NUMERAL = int(z3.Z3_NUMERAL_AST)
_UNINTERPRETED = int(z3.Z3_OP_UNINTERPRETED)
_STRING_SYMBOL = int(z3.Z3_STRING_SYMBOL)

Declaration = tuple[bytes, "str | None"]  # its text, and a constant's name (else None)


class Digests:
    """The digests of the terms of one graph's path conditions (see the module's docstring)."""

    def __init__(self, paths: PathConditions) -> None:
        if not capi.AVAILABLE:
            raise NotDigestible("z3's C functions are not where this z3py keeps them")
        context = paths.constraints[0].ctx if paths.constraints else z3.main_ctx()
        self._handle: int = ctypes.cast(context.ref(), ctypes.c_void_p).value or 0
        self._kept: dict[int, bytes] = {}  # term id -> digest, for terms ``paths`` keeps alive
        self._declarations: dict[int, Declaration] = {}  # by address, for those of kept terms
        self._defined: dict[str, tuple[bytes, bytes]] = {}  # name -> (declaration, digest)
        self._alive = paths.constraints  # what keeps the kept terms and their declarations alive
        defined_at = self._defined_at = paths.defined_at
        if any(len(positions) != 1 for positions in defined_at.values()):
            raise NotDigestible("a name defined twice")
        defines = {positions[0]: name for name, positions in defined_at.items()}
        self.constraints: list[bytes] = []  # the digest of each constraint, by position
        kept, declarations = self._kept, self._declarations
        for position, constraint in enumerate(paths.constraints):
            name = defines.get(position)
            if name is None:
                self.constraints.append(self._digest(_pointer(constraint), kept, declarations))
                continue
            equation = _pointer(constraint)  # named == formula
            named, formula = _ARGUMENT(self._handle, equation, 0), _ARGUMENT(self._handle, equation, 1)
            body = self._digest(formula, kept, declarations)
            declaration = _DECLARATION(self._handle, named)
            text, _ = declarations.get(declaration) or self._declaration(declaration, declarations)
            digest = hashlib.sha256(b"defined\0" + text + b"\0" + body).digest()
            self._defined[name] = (text, digest)
            self.constraints.append(digest)
        shared = hashlib.sha256(b"shared")
        for position, constraint_digest in enumerate(self.constraints):
            if position not in defines:
                shared.update(constraint_digest)
        self.shared = shared.digest()  # the input ranges every question holds

    def of(self, terms: Sequence[Term]) -> list[bytes]:
        """The digests of a question's terms (each covering its cone)."""
        store: dict[int, bytes] = {}
        declarations: dict[int, Declaration] = {}
        return [self._digest(_pointer(term), store, declarations) for term in terms]

    def _declaration(self, declaration: int, store: dict[int, Declaration]) -> Declaration:
        """The text of a declaration and, for a constant, its name, computed once per digest
        of a term (``store``: by the declaration's address, which stays its own while the term
        being digested, which uses it, exists) and kept in ``self._declarations`` for the
        declarations of the terms ``paths`` keeps alive."""
        handle = self._handle
        text = _DECLARATION_TEXT(handle, declaration) or b""
        if _PARAMETERS(handle, declaration) > 0:
            text += b"\0parameters"  # the term's own text is added (``_digest``)
        name = None
        if (
            _DECLARATION_KIND(handle, declaration) == _UNINTERPRETED
            and _DECLARATION_ARITY(handle, declaration) == 0
        ):
            symbol = _DECLARATION_NAME(handle, declaration)
            if _SYMBOL_KIND(handle, symbol) == _STRING_SYMBOL:
                name = (_SYMBOL_TEXT(handle, symbol) or b"").decode("utf-8", "surrogateescape")
        found = store[declaration] = (text, name)
        return found

    def _digest(self, root: int, store: dict[int, bytes], declarations: dict[int, Declaration]) -> bytes:
        """The digest of one term; the digests of its subterms go to ``store`` unless kept.

        Each term is visited once to read its arguments (pushed before it when not yet
        digested) and once more, its arguments digested, to digest it."""
        handle, kept, defined, defined_at = self._handle, self._kept, self._defined, self._defined_at
        known = self._declarations
        sha256 = hashlib.sha256
        root_key = _ID(handle, root)
        pending: list[tuple[int, int, list[int] | None]] = [(root, root_key, None)]
        while pending:
            ast, key, children = pending[-1]
            if children is None:
                if key in kept or key in store:
                    pending.pop()
                    continue
                kind = _KIND(handle, ast)
                if kind == _NUMERAL:
                    pending.pop()
                    text = _NUMERAL_TEXT(handle, ast) or b""
                    sort = _SORT_TEXT(handle, _SORT(handle, ast)) or b""
                    store[key] = sha256(b"numeral\0" + text + b"\0" + sort).digest()
                    continue
                if kind != _APP:
                    raise NotDigestible(f"a term of kind {kind}")
                children = []
                missing = []
                for index in range(_ARITY(handle, ast)):
                    child = _ARGUMENT(handle, ast, index)
                    child_key = _ID(handle, child)
                    children.append(child_key)
                    if child_key not in kept and child_key not in store:
                        missing.append((child, child_key, None))
                if missing:
                    pending[-1] = (ast, key, children)
                    pending.extend(missing)
                    continue
            pending.pop()
            if key in store or key in kept:  # met twice before it was digested
                continue
            declaration = _DECLARATION(handle, ast)
            found = declarations.get(declaration) or known.get(declaration)
            text, name = found if found is not None else self._declaration(declaration, declarations)
            if name is not None and name in defined_at:
                definition = defined.get(name)
                if definition is None or definition[0] != text:  # read before it is defined
                    raise NotDigestible(f"{name} read before its definition")
                store[key] = definition[1]
                continue
            if text.endswith(b"\0parameters"):
                text += _TERM_TEXT(handle, ast) or b""
            parts = b"".join([kept.get(child) or store[child] for child in children])
            store[key] = sha256(b"app\0" + text + b"\0" + parts).digest()
        return kept.get(root_key) or store[root_key]


def _pointer(term: Term) -> int:
    """The address of a z3py term's AST, for the plain functions above."""
    address = ctypes.cast(term.as_ast(), ctypes.c_void_p).value
    if address is None:
        raise NotDigestible("a null term")
    return int(address)
