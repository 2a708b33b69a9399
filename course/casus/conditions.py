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

# Alternatives in the order they are tried: a number before a name, '<=' before '<'; anything else is
# one "other" character, refused with a message that says what to write instead.
_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<string>'[^']*'|\"[^\"]*\")"
    r"|(?P<number>-?[0-9]+(?:\.[0-9]+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    rf"|(?P<op>{'|'.join(map(re.escape, COMPARISONS))})"
    r"|(?P<lparen>\()|(?P<rparen>\))"
    r"|(?P<other>.)",
    re.DOTALL,
)


class ConditionError(ValueError):
    """A condition that cannot be parsed or does not fit the variables; ``column`` is 1-based."""

    def __init__(self, message: str, column: int | None = None):
        # Both in args, so repr() in a log shows the column too.
        super().__init__(message, column)
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
    column: int  # 1-based
    text: str = ""  # as written; the end of the condition has none


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; ConditionError on any character the language does not have."""
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"condition is longer than {MAX_LENGTH} characters")
    tokens: list[Token] = []
    # One pass of one pattern, no hand-moved index: every character is consumed by exactly one match.
    for match in _TOKEN.finditer(text):
        kind, word, column = match.lastgroup, match.group(), match.start() + 1
        if kind == "space":
            continue
        if kind == "other":
            raise _refusal(word, column)
        tokens.append(Token(kind, column, word))  # type: ignore[arg-type]
    tokens.append(Token("end", len(text) + 1))
    return tokens


def _literal(token: Token) -> Value:
    """The value of a string or number token: text without its quotes, a whole number exactly."""
    if token.kind == "string":
        return token.text[1:-1]
    return float(token.text) if "." in token.text else int(token.text)


def _refusal(character: str, column: int) -> ConditionError:
    # One of these single characters: a tuple, because "in" on a string would also match a substring.
    if character in ("'", '"'):
        return ConditionError("string is not closed", column)
    if character == ".":
        return ConditionError("'.' is not allowed: conditions have no attribute access", column)
    if character in ("[", "]"):
        return ConditionError(f"'{character}' is not allowed: conditions have no indexing", column)
    if character == "=":
        return ConditionError("'=' is not a comparison: write '=='", column)
    if character in ("&", "|", "!"):
        return ConditionError(f"'{character}' is not allowed: write 'and', 'or', 'not', or '!='", column)
    return ConditionError(f"unexpected character {character!r}", column)


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
            return Const(_literal(token))
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
