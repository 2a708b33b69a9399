"""The tiny condition language of casus files: parse once at load, evaluate against run variables.

Grammar (no function calls, no attribute access, no indexing, nothing executed)::

    expr       := or
    or         := and ('or' and)*
    and        := not ('and' not)*
    not        := 'not' not | comparison
    comparison := atom (('==' | '!=' | '<' | '<=' | '>' | '>=') atom)?
    atom       := NAME | NUMBER | STRING | 'true' | 'false' | '(' expr ')'

Strings are quoted with ' or ". Conditions are parsed by our own tokenizer and recursive-descent parser
into a small AST; ``check`` infers types against the declared variables so that a typo or a comparison
of a number with a string is a load error, not a surprise during a run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal as TypingLiteral

Value = bool | int | float | str
ValueType = TypingLiteral["bool", "number", "text"]

KEYWORDS = frozenset({"and", "or", "not", "true", "false"})
COMPARISONS = ("==", "!=", "<=", ">=", "<", ">")
MAX_LENGTH = 500
MAX_DEPTH = 32

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


class ConditionError(ValueError):
    """A condition that cannot be parsed or does not fit the variables; ``column`` is 1-based."""

    def __init__(self, message: str, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.column = column

    def __str__(self) -> str:
        return f"{self.message} (column {self.column})" if self.column else self.message


# --- AST -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Const:
    value: Value


@dataclass(frozen=True)
class Var:
    name: str
    column: int = 0


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class BoolOp:
    op: TypingLiteral["and", "or"]
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Compare:
    op: str
    left: Node
    right: Node
    column: int = 0


Node = Const | Var | Not | BoolOp | Compare


@dataclass(frozen=True)
class Condition:
    """A parsed condition and the text it came from."""

    source: str
    tree: Node

    def holds(self, variables: Mapping[str, Value]) -> bool:
        """True when the condition holds for ``variables``; KeyError if one it names is missing."""
        return evaluate(self.tree, variables) is True

    @property
    def variables(self) -> frozenset[str]:
        """The names of the variables the condition reads."""
        return frozenset(_names(self.tree))


def _names(node: Node) -> set[str]:
    if isinstance(node, Var):
        return {node.name}
    if isinstance(node, Not):
        return _names(node.operand)
    if isinstance(node, BoolOp):
        return set().union(*(_names(n) for n in node.operands))
    if isinstance(node, Compare):
        return _names(node.left) | _names(node.right)
    return set()


# --- tokenizer -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: TypingLiteral["name", "number", "string", "op", "lparen", "rparen", "end"]
    text: str
    column: int  # 1-based
    value: Value | None = None


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; ConditionError on any character the language does not have."""
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"condition is longer than {MAX_LENGTH} characters")
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        col = i + 1
        if ch.isspace():
            i += 1
            continue
        if ch in "'\"":
            end = text.find(ch, i + 1)
            if end < 0:
                raise ConditionError("string is not closed", col)
            tokens.append(Token("string", text[i : end + 1], col, text[i + 1 : end]))
            i = end + 1
            continue
        number = _NUMBER.match(text, i)
        if number:
            value = float(number.group()) if "." in number.group() else int(number.group())
            tokens.append(Token("number", number.group(), col, value))
            i = number.end()
            continue
        name = _NAME.match(text, i)
        if name:
            tokens.append(Token("name", name.group(), col))
            i = name.end()
            continue
        op = next((op for op in COMPARISONS if text.startswith(op, i)), None)
        if op:
            tokens.append(Token("op", op, col))
            i += len(op)
            continue
        if ch == "(":
            tokens.append(Token("lparen", ch, col))
        elif ch == ")":
            tokens.append(Token("rparen", ch, col))
        elif ch == ".":
            raise ConditionError("'.' is not allowed: conditions have no attribute access", col)
        elif ch in "[]":
            raise ConditionError(f"'{ch}' is not allowed: conditions have no indexing", col)
        elif ch == "=":
            raise ConditionError("'=' is not a comparison: write '=='", col)
        elif ch in "&|!":
            raise ConditionError(f"'{ch}' is not allowed: write 'and', 'or', 'not', or '!='", col)
        else:
            raise ConditionError(f"unexpected character {ch!r}", col)
        i += 1
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


# --- parser --------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.pos = 0
        self.depth = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def is_word(self, word: str) -> bool:
        return self.token.kind == "name" and self.token.text == word

    def parse(self) -> Node:
        if self.token.kind == "end":
            raise ConditionError("condition is empty", 1)
        node = self.parse_or()
        if self.token.kind != "end":
            raise ConditionError(f"unexpected {self.describe(self.token)}", self.token.column)
        return node

    def parse_or(self) -> Node:
        operands = [self.parse_and()]
        while self.is_word("or"):
            self.take()
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else BoolOp("or", tuple(operands))

    def parse_and(self) -> Node:
        operands = [self.parse_not()]
        while self.is_word("and"):
            self.take()
            operands.append(self.parse_not())
        return operands[0] if len(operands) == 1 else BoolOp("and", tuple(operands))

    def parse_not(self) -> Node:
        if self.is_word("not"):
            self.take()
            with self.nested():
                return Not(self.parse_not())
        return self.parse_comparison()

    def parse_comparison(self) -> Node:
        left = self.parse_atom()
        if self.token.kind != "op":
            return left
        op = self.take()
        right = self.parse_atom()
        if self.token.kind == "op":
            raise ConditionError("comparisons cannot be chained: use 'and'", self.token.column)
        return Compare(op.text, left, right, op.column)

    def parse_atom(self) -> Node:
        token = self.take()
        if token.kind in ("number", "string"):
            return Const(token.value if token.value is not None else token.text)
        if token.kind == "lparen":
            with self.nested():
                node = self.parse_or()
            if self.token.kind != "rparen":
                raise ConditionError(f"expected ')' but found {self.describe(self.token)}", self.token.column)
            self.take()
            return node
        if token.kind == "name":
            if token.text in ("true", "false"):
                return Const(token.text == "true")
            if token.text in KEYWORDS:
                raise ConditionError(f"'{token.text}' needs a value before it", token.column)
            if self.token.kind == "lparen":
                raise ConditionError(f"'{token.text}(': function calls are not allowed", self.token.column)
            return Var(token.text, token.column)
        raise ConditionError(f"expected a value but found {self.describe(token)}", token.column)

    def nested(self) -> _Depth:
        return _Depth(self)

    @staticmethod
    def describe(token: Token) -> str:
        return "the end of the condition" if token.kind == "end" else f"'{token.text}'"


class _Depth:
    """Bound nesting so a pathological condition is an error, not a RecursionError."""

    def __init__(self, parser: _Parser):
        self.parser = parser

    def __enter__(self) -> None:
        self.parser.depth += 1
        if self.parser.depth > MAX_DEPTH:
            raise ConditionError(f"condition is nested more than {MAX_DEPTH} levels deep", self.parser.token.column)

    def __exit__(self, *_exc: object) -> None:
        self.parser.depth -= 1


def parse(text: str) -> Condition:
    """Parse ``text`` into a Condition; raises ConditionError with the column of the problem."""
    if not isinstance(text, str):
        raise ConditionError("a condition must be text, e.g. \"collega_geraadpleegd and risico == 'hoog'\"")
    return Condition(text, _Parser(text).parse())


# --- type check ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VariableType:
    """What the checker needs to know of a declared variable."""

    type: ValueType
    values: tuple[str, ...] = ()  # the allowed values of a choice variable


def _type_of(value: Value) -> ValueType:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "text"


def check(condition: Condition, variables: Mapping[str, VariableType]) -> None:
    """Check that ``condition`` names only declared variables and yields a yes/no answer.

    Returns None; raises ConditionError for an unknown variable, operands of the wrong type, or a
    string compared with a choice variable that it can never equal.
    """
    result = _check(condition.tree, variables)
    if result != "bool":
        raise ConditionError(f"a condition must be true or false, but this gives a {result}")


def _check(node: Node, variables: Mapping[str, VariableType]) -> ValueType:
    if isinstance(node, Const):
        return _type_of(node.value)
    if isinstance(node, Var):
        if node.name not in variables:
            known = ", ".join(sorted(variables)) or "none declared"
            raise ConditionError(f"unknown variable '{node.name}' (variables: {known})", node.column)
        return variables[node.name].type
    if isinstance(node, Not):
        if _check(node.operand, variables) != "bool":
            raise ConditionError("'not' needs a true/false value")
        return "bool"
    if isinstance(node, BoolOp):
        for operand in node.operands:
            if _check(operand, variables) != "bool":
                raise ConditionError(f"'{node.op}' needs true/false values on both sides")
        return "bool"
    left, right = _check(node.left, variables), _check(node.right, variables)
    if left != right:
        raise ConditionError(f"cannot compare a {left} with a {right}", node.column)
    if node.op not in ("==", "!=") and left != "number":
        raise ConditionError(f"'{node.op}' compares numbers only", node.column)
    for var, other in ((node.left, node.right), (node.right, node.left)):
        if isinstance(var, Var) and isinstance(other, Const) and variables[var.name].values:
            allowed = variables[var.name].values
            if other.value not in allowed:
                raise ConditionError(
                    f"{other.value!r} is not a value of '{var.name}' (values: {', '.join(allowed)})", node.column)
    return "bool"


# --- evaluation ----------------------------------------------------------------------------------


def evaluate(node: Node, variables: Mapping[str, Value]) -> Value:
    """The value of ``node`` for ``variables``; KeyError for a variable that is not there."""
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Var):
        return variables[node.name]
    if isinstance(node, Not):
        return not evaluate(node.operand, variables)
    if isinstance(node, BoolOp):
        if node.op == "and":
            return all(evaluate(operand, variables) for operand in node.operands)
        return any(evaluate(operand, variables) for operand in node.operands)
    left, right = evaluate(node.left, variables), evaluate(node.right, variables)
    if node.op == "==":
        return _same(left, right)
    if node.op == "!=":
        return not _same(left, right)
    if isinstance(left, bool) or isinstance(right, bool) or isinstance(left, str) or isinstance(right, str):
        return False  # the checker refuses ordering on non-numbers; never order them at run time
    if node.op == "<":
        return left < right
    if node.op == "<=":
        return left <= right
    if node.op == ">":
        return left > right
    return left >= right


def _same(left: Value, right: Value) -> bool:
    # Python says True == 1; in a casus a yes/no answer is never a number.
    return _type_of(left) == _type_of(right) and left == right
