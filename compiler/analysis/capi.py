"""z3's C functions called without z3py's per-call overhead, for the hot paths of the
analysis (building the path conditions, ``encode``; reading them, ``digest``).

z3py calls each C function through a wrapper that converts every argument in Python (its
ctypes argument types have a Python ``from_param``) and, after the call, asks z3 for its error
code; on fibromyalgia's path conditions that is about 55,000 checks and as many conversions,
more time than z3's own work building the terms. ``plain`` gives the same C function with
plain ctypes types (converted in C), for calls that cannot fail: reading a term that exists,
or making a term from terms of the right sorts. Terms made so are the very terms z3py makes
(z3 shares every term by structure), so nothing the solver sees changes.

If the z3py in use keeps its C functions elsewhere (``plain`` gives None), ``AVAILABLE`` is
False and the callers use z3py's own functions.
"""

from __future__ import annotations

import ctypes
from typing import Any

import z3

POINTER, UINT, INT, TEXT = ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_char_p


def plain(function: Any, result: Any, *arguments: Any) -> Any:
    """The C function behind z3py's wrapper ``function``, with result and argument types
    ``result`` and ``arguments`` (None when this z3py does not keep it where expected)."""
    try:
        address: Any = ctypes.cast(function.__defaults__[0].f, ctypes.c_void_p).value
    except (AttributeError, IndexError, TypeError):
        return None
    return ctypes.CFUNCTYPE(result, *arguments)(address) if address else None


# reading terms (pointers in and out as integers; texts as bytes, copied at once)
AST_ID = plain(z3.Z3_get_ast_id, UINT, POINTER, POINTER)
AST_KIND = plain(z3.Z3_get_ast_kind, INT, POINTER, POINTER)
APP_ARITY = plain(z3.Z3_get_app_num_args, UINT, POINTER, POINTER)
APP_ARGUMENT = plain(z3.Z3_get_app_arg, POINTER, POINTER, POINTER, UINT)
APP_DECLARATION = plain(z3.Z3_get_app_decl, POINTER, POINTER, POINTER)
DECLARATION_ID = plain(z3.Z3_get_func_decl_id, UINT, POINTER, POINTER)
DECLARATION_TEXT = plain(z3.Z3_func_decl_to_string, TEXT, POINTER, POINTER)
DECLARATION_PARAMETERS = plain(z3.Z3_get_decl_num_parameters, UINT, POINTER, POINTER)
DECLARATION_KIND = plain(z3.Z3_get_decl_kind, INT, POINTER, POINTER)
DECLARATION_ARITY = plain(z3.Z3_get_arity, UINT, POINTER, POINTER)
DECLARATION_NAME = plain(z3.Z3_get_decl_name, POINTER, POINTER, POINTER)
SYMBOL_KIND = plain(z3.Z3_get_symbol_kind, INT, POINTER, POINTER)
SYMBOL_TEXT = plain(z3.Z3_get_symbol_string, TEXT, POINTER, POINTER)
NUMERAL_TEXT = plain(z3.Z3_get_numeral_string, TEXT, POINTER, POINTER)
SORT_OF = plain(z3.Z3_get_sort, POINTER, POINTER, POINTER)
SORT_TEXT = plain(z3.Z3_sort_to_string, TEXT, POINTER, POINTER)
TERM_TEXT = plain(z3.Z3_ast_to_string, TEXT, POINTER, POINTER)

# making terms: z3py's own ``Ast`` as the result, so that a z3py term can hold it
MAKE_AND = plain(z3.Z3_mk_and, z3.Ast, POINTER, UINT, POINTER)
MAKE_OR = plain(z3.Z3_mk_or, z3.Ast, POINTER, UINT, POINTER)
MAKE_NOT = plain(z3.Z3_mk_not, z3.Ast, POINTER, POINTER)
MAKE_EQUAL = plain(z3.Z3_mk_eq, z3.Ast, POINTER, POINTER, POINTER)
MAKE_CONSTANT = plain(z3.Z3_mk_const, z3.Ast, POINTER, POINTER, POINTER)
MAKE_SYMBOL = plain(z3.Z3_mk_string_symbol, POINTER, POINTER, TEXT)
# evaluating a term in a model: the result's address (valid until the next call into z3)
MODEL_EVALUATE = plain(z3.Z3_model_eval, ctypes.c_bool, POINTER, POINTER, POINTER, ctypes.c_bool, POINTER)
INCREMENT = plain(z3.Z3_inc_ref, None, POINTER, POINTER)
DECREMENT = plain(z3.Z3_dec_ref, None, POINTER, POINTER)

READING = (
    AST_ID, AST_KIND, APP_ARITY, APP_ARGUMENT, APP_DECLARATION, DECLARATION_ID, DECLARATION_TEXT,
    DECLARATION_PARAMETERS, DECLARATION_KIND, DECLARATION_ARITY, DECLARATION_NAME, SYMBOL_KIND,
    SYMBOL_TEXT, NUMERAL_TEXT, SORT_OF, SORT_TEXT, TERM_TEXT,
)  # fmt: skip
MAKING = (
    MAKE_AND, MAKE_OR, MAKE_NOT, MAKE_EQUAL, MAKE_CONSTANT, MAKE_SYMBOL, MODEL_EVALUATE, INCREMENT, DECREMENT,
)  # fmt: skip
AVAILABLE = None not in (*READING, *MAKING)
