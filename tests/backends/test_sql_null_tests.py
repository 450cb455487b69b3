"""``is_null``, the SQL target's NULL test: answered outright only where the operand can never
be NULL (a literal, or a literal cast to a type), else asked of the engine."""

from __future__ import annotations

import duckdb
from sqlglot import exp

from compiler.backends.sql.expressions import FALSE, big, column, is_null, number, string


def test_a_literal_or_a_cast_literal_is_never_null() -> None:
    for literal in (big(3), number(2.5), number(True), string("x"), exp.Literal.number(1)):
        assert is_null(literal) is FALSE


def test_a_cast_of_what_may_be_null_is_asked() -> None:
    # arithmetic on decimals is cast back to DOUBLE: NULL when a fact it reads is absent
    product = exp.cast(exp.Mul(this=column("dose"), expression=big(2)), "DOUBLE")
    test = is_null(product)
    assert test is not FALSE
    sql = exp.select(test.as_("absent")).from_("patients").sql(dialect="duckdb")
    connection = duckdb.connect()
    connection.execute("CREATE TABLE patients AS SELECT * FROM (VALUES (NULL::DOUBLE), (1.5)) AS t(dose)")
    assert [row[0] for row in connection.execute(sql).fetchall()] == [True, False]
    assert is_null(exp.cast(exp.null(), "DOUBLE")) is not FALSE


def test_a_column_is_asked() -> None:
    assert is_null(column("egfr")).sql(dialect="duckdb") == '"egfr" IS NULL'
