"""Syntax-tree builders for FHIR bindings and code sets (``from Observation ...``,
``codes NAME = ...``); mixed into the tree builder of ``build_ast``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lark import Token, v_args
from lark.tree import Meta

from compiler.front import syntax as s


class _CodeList(tuple[s.Code, ...]):
    """The codes of a ``code_list`` (a marker type for the builders below)."""


class _NamedCodes:
    def __init__(self, name: s.Name) -> None:
        self.name = name


class _Value:
    def __init__(self, unit: s.Name | None, ucum: s.Text | None) -> None:
        self.unit = unit
        self.ucum = ucum


class _Window:
    def __init__(self, quantity: s.Quantity) -> None:
        self.quantity = quantity


class _Fields(tuple[s.FieldBinding, ...]):
    """The ``with field = role, ...`` part of a binding."""


class BindingBuilder:
    """Builders of the binding rules of grammar.lark (used as a mixin)."""

    # Provided by the tree builder this class is mixed into.
    def span(self, meta: Meta) -> s.Span:
        raise NotImplementedError

    @staticmethod
    def _label(children: Sequence[Any]) -> s.Text | None:
        raise NotImplementedError

    @staticmethod
    def _attributes(children: Sequence[Any]) -> tuple[s.Attribute, ...]:
        raise NotImplementedError

    @v_args(meta=True)
    def code(self, meta: Meta, children: list[Any]) -> s.Code:
        return s.Code(children[0], children[1], self.span(meta))

    def code_list(self, children: list[s.Code]) -> _CodeList:
        return _CodeList(children)

    @v_args(meta=True)
    def code_set_entry(self, meta: Meta, children: list[Any]) -> s.CodeSetEntry:
        return s.CodeSetEntry(children[0], tuple(children[1]), self.span(meta))

    @v_args(meta=True)
    def code_set_decl(self, meta: Meta, children: list[Any]) -> s.CodeSet:
        codes = next((c for c in children if isinstance(c, _CodeList)), _CodeList())
        names = [c for c in children if isinstance(c, s.Name)]
        entries = tuple(c for c in children if isinstance(c, s.CodeSetEntry))
        enumeration = names[1] if len(names) > 1 else None
        return s.CodeSet(
            names[0],
            self._label(children),
            tuple(codes),
            enumeration,
            entries,
            self._attributes(children),
            self.span(meta),
        )

    def inline_codes(self, children: list[Any]) -> _CodeList:
        return _CodeList(children[0])

    def named_codes(self, children: list[Any]) -> _NamedCodes:
        return _NamedCodes(next(c for c in children if isinstance(c, s.Name)))

    def binding_value(self, children: list[Any]) -> _Value:
        written = next(c for c in children if not isinstance(c, Token))
        if isinstance(written, s.Text):
            return _Value(None, written)
        return _Value(written, None)

    def binding_window(self, children: list[Any]) -> _Window:
        return _Window(children[0])

    @v_args(meta=True)
    def field_binding(self, meta: Meta, children: list[Any]) -> s.FieldBinding:
        url = children[2] if len(children) > 2 else None
        return s.FieldBinding(children[0], children[1], url, self.span(meta))

    def binding_fields(self, children: list[s.FieldBinding]) -> _Fields:
        return _Fields(children)

    @v_args(meta=True)
    def binding(self, meta: Meta, children: list[Any]) -> s.Binding:
        codes = next((c for c in children if isinstance(c, _CodeList)), _CodeList())
        named = next((c.name for c in children if isinstance(c, _NamedCodes)), None)
        value = next((c for c in children if isinstance(c, _Value)), None)
        window = next((c.quantity for c in children if isinstance(c, _Window)), None)
        fields = next((c for c in children if isinstance(c, _Fields)), _Fields())
        return s.Binding(
            children[0],
            tuple(codes),
            named,
            value is not None,
            value.unit if value is not None else None,
            value.ucum if value is not None else None,
            window,
            tuple(fields),
            self.span(meta),
        )
