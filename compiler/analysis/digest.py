"""Structural digests of path-condition terms: a question's exact content as a SHA-256,
without printing it (the key of ``recall``).

The digest of a z3 term is the SHA-256 of its declaration as z3 prints it (``Z3_func_decl_to_
string``: the operator, or a constant's name, domain and sort, with any parameters), and the
digests of its arguments in order; a numeral's is its value and sort as z3 prints them; a term
with parameters z3 does not put into its declaration's text (a string literal, say) adds its own
text (``Z3_ast_to_string``). So two terms have the same digest exactly when they are the same
term (up to SHA-256 collisions): the same operators, names, sorts and values in the same places.

A name that ``paths.PathConditions`` defines (``~reach N`` and the others) is, in a digest, its
declaration AND the digest of its definition, so the digest of a term covers its whole cone of
influence (``cone.Cones``): every equation the term depends on, through every name it reads.
Two questions whose goals have the same digests therefore ask the solver the same thing (the
same goals over the same definitions), whatever else differs between the two graphs.

The terms are read through z3's C API, without z3py's wrappers and error checks (the walk
reads about 3,000 terms for fibromyalgia); each term's digest is kept by its z3 id only while
``paths`` keeps the term alive (z3 reuses the ids of terms that no longer exist), the terms of
a question's own goals only for that question.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import z3

from compiler.analysis.encode import Term
from compiler.analysis.paths import PathConditions


class NotDigestible(Exception):
    """A term of a kind the digests do not describe (a quantifier, a bound variable), or a name
    defined twice: no question of these path conditions is recalled."""


def _raw(function: Any) -> Any:
    """The ctypes function behind a z3py C-API wrapper (no error check after each call: every
    call here reads a term that exists, which cannot fail)."""
    return function.__defaults__[0].f


_ID = _raw(z3.Z3_get_ast_id)
_KIND = _raw(z3.Z3_get_ast_kind)
_ARITY = _raw(z3.Z3_get_app_num_args)
_ARGUMENT = _raw(z3.Z3_get_app_arg)
_DECLARATION = _raw(z3.Z3_get_app_decl)
_DECLARATION_ID = _raw(z3.Z3_get_func_decl_id)
_PARAMETERS = _raw(z3.Z3_get_decl_num_parameters)
_APP = z3.Z3_APP_AST
_NUMERAL = z3.Z3_NUMERAL_AST


class Digests:
    """The digests of the terms of one graph's path conditions (see the module's docstring)."""

    def __init__(self, paths: PathConditions) -> None:
        context = paths.constraints[0].ctx if paths.constraints else z3.main_ctx()
        self._context = context.ref()
        self._kept: dict[int, bytes] = {}  # term id -> digest, for terms ``paths`` keeps alive
        # decl id -> its text, whether it has parameters, and a constant's name (else None)
        self._declarations: dict[int, tuple[bytes, bool, str | None]] = {}
        self._defined: dict[str, tuple[bytes, bytes]] = {}  # name -> (declaration, digest)
        self._alive = paths.constraints  # what keeps the kept terms alive
        defined_at = self._defined_at = paths.defined_at
        if any(len(positions) != 1 for positions in defined_at.values()):
            raise NotDigestible("a name defined twice")
        defines = {positions[0]: name for name, positions in defined_at.items()}
        self.constraints: list[bytes] = []  # the digest of each constraint, by position
        for position, constraint in enumerate(paths.constraints):
            name = defines.get(position)
            if name is None:
                self.constraints.append(self._digest(constraint.as_ast(), self._kept))
                continue
            named, formula = constraint.arg(0), constraint.arg(1)
            body = self._digest(formula.as_ast(), self._kept)
            text, _, _ = self._declaration(_DECLARATION(self._context, named.as_ast()))
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
        return [self._digest(term.as_ast(), store) for term in terms]

    def _declaration(self, declaration: Any) -> tuple[bytes, bool, str | None]:
        context = self._context
        key = int(_DECLARATION_ID(context, declaration))
        found = self._declarations.get(key)
        if found is None:
            text = z3.Z3_func_decl_to_string(context, declaration).encode("utf-8", "surrogateescape")
            name = None
            if (
                z3.Z3_get_decl_kind(context, declaration) == z3.Z3_OP_UNINTERPRETED
                and z3.Z3_get_arity(context, declaration) == 0
            ):
                symbol = z3.Z3_get_decl_name(context, declaration)
                if z3.Z3_get_symbol_kind(context, symbol) == z3.Z3_STRING_SYMBOL:
                    name = z3.Z3_get_symbol_string(context, symbol)
            found = (text, int(_PARAMETERS(context, declaration)) > 0, name)
            self._declarations[key] = found
        return found

    def _digest(self, root: Any, store: dict[int, bytes]) -> bytes:
        """The digest of one term; the digests of its subterms go to ``store`` unless kept."""
        context, kept, defined = self._context, self._kept, self._defined
        stack: list[tuple[Any, bool]] = [(root, False)]
        while stack:
            ast, expanded = stack.pop()
            key = int(_ID(context, ast))
            if key in kept or key in store:
                continue
            kind = _KIND(context, ast)
            if kind == _NUMERAL:
                text = z3.Z3_get_numeral_string(context, ast)
                sort = z3.Z3_sort_to_string(context, z3.Z3_get_sort(context, ast))
                store[key] = hashlib.sha256(f"numeral\0{text}\0{sort}".encode()).digest()
                continue
            if kind != _APP:
                raise NotDigestible(f"a term of kind {kind}")
            arity = int(_ARITY(context, ast))
            children = [_ARGUMENT(context, ast, index) for index in range(arity)]
            if not expanded and arity:
                stack.append((ast, True))
                stack.extend((child, False) for child in children)
                continue
            text, parameters, name = self._declaration(_DECLARATION(context, ast))
            if name is not None and name in self._defined_at:
                definition = defined.get(name)
                if definition is None or definition[0] != text:  # read before it is defined
                    raise NotDigestible(f"{name} read before its definition")
                store[key] = definition[1]
                continue
            digest = hashlib.sha256(b"app\0" + text)
            if parameters:
                digest.update(b"\0" + z3.Z3_ast_to_string(context, ast).encode("utf-8", "surrogateescape"))
            for child in children:
                child_key = int(_ID(context, child))
                digest.update(kept[child_key] if child_key in kept else store[child_key])
            store[key] = digest.digest()
        root_key = int(_ID(context, root))
        return kept[root_key] if root_key in kept else store[root_key]
