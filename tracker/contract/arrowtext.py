"""Facts about whole Arrow text columns, in a few passes over their buffers: that every value
matches a pattern, that no value repeats, how often a byte occurs in each value, which values
are real calendar dates or plain numbers. The fast path (``fast.py``, through the rules' fast
forms) uses them for what must see every row; each says True only when sure."""

from __future__ import annotations

import functools
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

LF = 10
GRAPHIC = (0x21, 0x7E)  # ASCII letters, digits and punctuation: never whitespace
_WORD_MASKS = np.array([(1 << (8 * n)) - 1 for n in range(9)], dtype=np.uint64)
# ``[^...]*`` over control characters only: a file with no control bytes meets it already
_ONLY_NO_CONTROLS = re.compile(r"\[\^((?:\\x[01][0-9a-f](?:-\\x[01][0-9a-f])?|\\x7f)+)\]\*")
# ``X*[^\sX]X*`` with X such a class: (no control byte and) not blank, like the title
_NON_BLANK = re.compile(r"\[\^(?P<c>[^\]]+)\]\*\[\^\\s(?P=c)\]\[\^(?P=c)\]\*")


def proved_by_byte_scan(pattern: str) -> bool:
    """``pattern`` only forbids control characters: a file the fast path's byte scan passed (no
    control byte but line ends, none inside a field) meets it."""
    return bool(_ONLY_NO_CONTROLS.fullmatch(pattern))


def is_non_blank(pattern: str) -> bool:
    """``pattern`` only asks for no control character (proved by the byte scan) and not blank."""
    match = _NON_BLANK.fullmatch(pattern)
    return bool(match and proved_by_byte_scan(f"[^{match['c']}]*"))


def is_empty(column: pa.ChunkedArray) -> np.ndarray:
    """Whether each value is the empty string."""
    return pc.equal(pc.binary_length(column), 0).to_numpy(zero_copy_only=False)


def bytes_per_row(column: pa.ChunkedArray, byte: int) -> np.ndarray:
    """How often ``byte`` occurs in each value of a chunked column."""
    counts = [bytes_per_value(chunk, byte) for chunk in column.chunks]
    return np.concatenate(counts) if counts else np.zeros(0, np.int64)


@functools.cache
def arrow_pattern(pattern: str) -> str:
    """``pattern`` with each ``\\s`` spelled out as the characters Python's ``re`` takes for
    whitespace: the same meaning, but pandas can then run it in pyarrow's RE2 (fast, no per-row
    Python); it falls back to ``re`` for ``\\s`` because RE2's differs."""
    if "\\S" in pattern or "[]" in pattern or "[^]" in pattern:
        return pattern  # not used by the schema: keep the original
    out, in_class, i = [], False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escape = pattern[i : i + 2]
            spaces = _WHITESPACE if in_class else f"[{_WHITESPACE}]"
            out.append(spaces if escape == "\\s" else escape)
            i += 2
            continue
        in_class = char == "[" or (in_class and char != "]")
        out.append(char)
        i += 1
    return "".join(out)


def _class_items(codes: list[int]) -> str:
    """A character-class body for ``codes``, consecutive runs as ranges."""
    runs: list[list[int]] = []
    for code in codes:
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    spell = lambda c: f"\\x{c:02x}" if c < 0x100 else chr(c)  # noqa: E731
    return "".join(spell(a) if a == b else f"{spell(a)}-{spell(b)}" for a, b in runs)


_WHITESPACE = _class_items([c for c in range(0x3001) if re.match(r"\s", chr(c))])


def all_match(column: pa.ChunkedArray, pattern: str) -> bool:
    """Every non-empty value matches ``pattern`` in full, as ``Series.str.fullmatch`` would. When
    the pattern can never match a line break, each chunk's values are joined by ``\n`` (no value
    holds one: the byte scan) and RE2 matches the text in one pass; else value by value."""
    if not pc.min(pc.binary_length(column)).as_py():
        column = column.filter(pc.greater(pc.binary_length(column), 0))
    regex = arrow_pattern(pattern)
    if may_match_newline(pattern):
        return pc.all(pc.match_substring_regex(column, f"^(?:{regex})$")).as_py() is not False
    lines = f"^(?:{regex})(?:\n(?:{regex}))*$"
    for chunk in filter(len, column.chunks):
        text = pc.binary_join(
            pa.ListArray.from_arrays(pa.array([0, len(chunk)], pa.int32()), chunk),
            pa.scalar("\n", chunk.type),
        )
        if not pc.match_substring_regex(text, lines)[0].as_py():
            return False
    return True


@functools.cache
def may_match_newline(pattern: str) -> bool:
    """Whether some string ``pattern`` matches could hold a line break (True when unsure)."""
    try:
        from re import _constants as sre
        from re import _parser

        tree = _parser.parse(pattern)
    except (ImportError, re.error):
        return True
    return _tree_may_match_newline(tree.data, bool(tree.state.flags & sre.SRE_FLAG_DOTALL), sre)


def _tree_may_match_newline(nodes, dotall: bool, sre) -> bool:
    for op, arg in nodes:
        if op is sre.LITERAL:
            found = arg == LF
        elif op is sre.NOT_LITERAL:
            found = arg != LF
        elif op is sre.ANY:
            found = dotall
        elif op is sre.IN:
            found = _class_has_newline(arg, sre)
        elif op is sre.AT:
            found = False
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            found = _tree_may_match_newline(arg[2], dotall, sre)
        elif op is sre.SUBPATTERN:
            found = _tree_may_match_newline(
                arg[3],
                (dotall or arg[1] & sre.SRE_FLAG_DOTALL) and not arg[2] & sre.SRE_FLAG_DOTALL,
                sre,
            )
        elif op is sre.BRANCH:
            found = any(_tree_may_match_newline(branch, dotall, sre) for branch in arg[1])
        else:
            found = True  # (anything else: unsure)
        if found:
            return True
    return False


def _class_has_newline(items, sre) -> bool:
    """Whether a character class (``[...]``, ``\\s``, ...) holds a line break (True when unsure)."""
    known = {
        sre.CATEGORY_SPACE: True,
        sre.CATEGORY_NOT_SPACE: False,
        sre.CATEGORY_DIGIT: False,
        sre.CATEGORY_NOT_DIGIT: True,
        sre.CATEGORY_WORD: False,
        sre.CATEGORY_NOT_WORD: True,
    }
    negate, listed = False, False
    for op, arg in items:
        if op is sre.NEGATE:
            negate = True
        elif op is sre.LITERAL:
            listed |= arg == LF
        elif op is sre.RANGE:
            listed |= arg[0] <= LF <= arg[1]
        elif op is sre.CATEGORY and arg in known:
            listed |= known[arg]
        else:
            return True
    return listed != negate


def all_distinct(column: pa.ChunkedArray) -> bool:
    """No value repeats. Distinct 64-bit fingerprints prove distinct values; should two collide
    (or a value be null), the exact (slower) hash table decides."""
    if column.null_count:
        return False
    prints = np.sort(np.concatenate([fingerprints(chunk) for chunk in column.chunks] or [np.empty(0, np.uint64)]))
    return not (prints[1:] == prints[:-1]).any() or len(pc.unique(column)) == len(column)


def fingerprints(chunk: pa.Array) -> np.ndarray:
    """A 64-bit fingerprint of each string, from its bytes (8 at a time) and its length."""
    offsets, data = _buffers(chunk)
    starts, lengths = offsets[:-1], np.diff(offsets)
    padded = np.zeros(offsets[-1] + 8, dtype=np.uint8)  # (8 spare bytes: every read stays inside)
    padded[: offsets[-1]] = data[: offsets[-1]]
    words = np.ndarray((len(padded) - 7,), dtype="<u8", buffer=padded, strides=(1,))  # unaligned
    out = lengths.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        shortest = int(lengths.min(initial=0))
        for k in range(0, int(lengths.max(initial=0)), 8):  # (a value's rounds: only its own bytes)
            whole = k + 8 <= shortest  # (every value has 8 more bytes: no masking needed)
            word = (
                words[starts + k]
                if whole
                else words[np.minimum(starts + k, len(words) - 1)] & _WORD_MASKS[np.clip(lengths - k, 0, 8)]
            )
            mixed = (out ^ word) * np.uint64(0xBF58476D1CE4E5B9)
            mixed ^= mixed >> np.uint64(31)
            if whole:
                out = mixed
            else:
                np.copyto(out, mixed, where=lengths > k)
    return out


def _buffers(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string array's (offsets, bytes) as numpy views (its offset applied to the offsets)."""
    _, offsets, data = chunk.buffers()
    offsets = np.frombuffer(offsets, np.int32)[chunk.offset : chunk.offset + len(chunk) + 1].astype(np.int64)
    return offsets, (np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8))


def bytes_per_value(chunk: pa.Array, byte: int) -> np.ndarray:
    """How often ``byte`` occurs in each value."""
    offsets, data = _buffers(chunk)
    found = np.flatnonzero(data[offsets[0] : offsets[-1]] == byte) + offsets[0]
    return np.diff(np.searchsorted(found, offsets))


def starts_graphic(column: pa.ChunkedArray) -> np.ndarray:
    """Whether each value's first byte is an ASCII letter, digit or punctuation mark."""
    out = []
    for chunk in column.chunks:
        offsets, data = _buffers(chunk)
        first = np.append(data, np.uint8(0))[np.minimum(offsets[:-1], len(data))]
        out.append((offsets[1:] > offsets[:-1]) & (first >= GRAPHIC[0]) & (first <= GRAPHIC[1]))
    return np.concatenate(out) if out else np.zeros(0, bool)


def calendar_days(values: pa.Array, pattern: str) -> pa.Array | None:
    """Each value's first day (date32) where it fully matches ``pattern`` (ISO dates at any
    precision), else null; None when a matching value is no real calendar date (Arrow's cast
    checks the calendar: in Arrow, not pandas, since a few new rows would cost a pandas pass its
    fixed price many times over)."""
    regex = f"^(?:{arrow_pattern(pattern)})$"
    length = pc.binary_length(values)
    padded = pc.if_else(
        pc.equal(length, 4),
        pc.binary_join_element_wise(values, "-01-01", ""),
        pc.if_else(pc.equal(length, 7), pc.binary_join_element_wise(values, "-01", ""), values),
    )
    shaped = pc.if_else(pc.match_substring_regex(values, regex), padded, pa.scalar(None, pa.string()))
    try:
        return pc.cast(shaped, pa.date32())
    except pa.ArrowInvalid:
        return None


# Numbers every reader spells alike: for these pandas' to_numeric and Arrow's cast agree, so the
# fast forms read them in Arrow; any other value leaves it to the exact form.
PLAIN_NUMBER = r"^-?[0-9]{1,9}(\.[0-9]{1,12})?$"


def plain_numbers(column: pa.ChunkedArray) -> pa.Array | None:
    """The column's distinct values as numbers (empty ones left out), or None when one is not
    a plain number."""
    values = pc.unique(column)
    values = values.filter(pc.not_equal(values, ""))
    if pc.all(pc.match_substring_regex(values, PLAIN_NUMBER)).as_py() is False:
        return None
    return pc.cast(values, pa.float64())
