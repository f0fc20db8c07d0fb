"""Raw deflate (RFC 1951) in pure Python, so the bytes never depend on zlib.

``zlib.compress`` output differs between zlib builds (zlib, zlib-ng, the
zlib-ng that CPython 3.14 ships on Windows), which would give the same
handler sources a different zip, S3 key and Lambda ``CodeSha256`` on another
machine. This encoder is plain integer Python: the same input gives the same
bytes on every interpreter and platform. Any inflater (``zlib``, ``unzip``,
Lambda) reads its output; tests check the round trip against ``zlib``.

It is a small, classic design, tuned for a few dozen KB of source code:
hash-chained LZ77 with one-step lazy matching (as zlib does at level 9) and
a single dynamic-Huffman block, code lengths limited by scaling counts.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

WINDOW = 32768
MIN_MATCH, MAX_MATCH = 3, 258
#: Candidates tried per position; more finds longer matches, slower.
MAX_CHAIN = 256
#: A match this long is taken at once, without looking for a better one.
GOOD_ENOUGH = 128

# RFC 1951 3.2.5: (base, extra bits) per length code 257..285 and distance code 0..29.
_LENGTH_BASE = (3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258)  # fmt: skip
_LENGTH_EXTRA = (0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0)  # fmt: skip
_DIST_BASE = (1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
              513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577)  # fmt: skip
_DIST_EXTRA = (0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7,
               8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13)  # fmt: skip
#: The order code-length code lengths are sent in (RFC 1951 3.2.7).
_CL_ORDER = (16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15)
_END_OF_BLOCK = 256


def _code_index(bases: Sequence[int], value: int) -> int:
    index = len(bases) - 1
    while bases[index] > value:
        index -= 1
    return index


_LENGTH_CODE = [0] * (MAX_MATCH + 1)
for _length in range(MIN_MATCH, MAX_MATCH + 1):
    _LENGTH_CODE[_length] = _code_index(_LENGTH_BASE, _length)


def _tokens(data: bytes) -> list[tuple[int, int]]:
    """LZ77: ``(byte, 0)`` literals and ``(length, distance)`` matches."""
    size = len(data)
    head: dict[bytes, int] = {}
    prev = [0] * size  # previous position with the same 3-byte prefix, or -1
    inserted = 0

    def insert_up_to(end: int) -> None:
        nonlocal inserted
        while inserted < min(end, size - MIN_MATCH + 1):
            key = data[inserted : inserted + MIN_MATCH]
            prev[inserted] = head.get(key, -1)
            head[key] = inserted
            inserted += 1

    def longest(pos: int, floor: int) -> tuple[int, int]:
        best_len, best_dist = floor, 0
        limit = min(MAX_MATCH, size - pos)
        if limit < MIN_MATCH:
            return 0, 0
        candidate = prev[pos]
        chain = MAX_CHAIN
        while candidate >= 0 and pos - candidate <= WINDOW and chain:
            chain -= 1
            if best_len < limit and data[candidate + best_len] == data[pos + best_len]:
                length = MIN_MATCH
                while length < limit and data[candidate + length] == data[pos + length]:
                    length += 1
                if length > best_len:
                    best_len, best_dist = length, pos - candidate
                    if length >= min(limit, GOOD_ENOUGH):
                        break
            candidate = prev[candidate]
        return (best_len, best_dist) if best_dist else (0, 0)

    tokens: list[tuple[int, int]] = []
    pos = 0
    while pos < size:
        insert_up_to(pos + 1)
        length, dist = longest(pos, MIN_MATCH - 1)
        if length:
            insert_up_to(pos + 2)
            next_length, _ = longest(pos + 1, length)
            if next_length > length:  # lazy: a literal now buys a longer match next
                tokens.append((data[pos], 0))
                pos += 1
                continue
            tokens.append((length, dist))
            pos += length
        else:
            tokens.append((data[pos], 0))
            pos += 1
    return tokens


def _lengths(counts: Sequence[int], limit: int) -> list[int]:
    """Huffman code lengths for ``counts``, none longer than ``limit`` bits."""
    counts = list(counts)
    while True:
        heap = [(count, symbol, (symbol,)) for symbol, count in enumerate(counts) if count]
        lengths = [0] * len(counts)
        if len(heap) == 1:
            lengths[heap[0][1]] = 1
            return lengths
        heapq.heapify(heap)
        order = len(counts)
        while len(heap) > 1:
            count_a, _, symbols_a = heapq.heappop(heap)
            count_b, _, symbols_b = heapq.heappop(heap)
            for symbol in symbols_a + symbols_b:
                lengths[symbol] += 1
            heapq.heappush(heap, (count_a + count_b, order, symbols_a + symbols_b))
            order += 1
        if max(lengths) <= limit:
            return lengths
        counts = [(count + 1) // 2 if count else 0 for count in counts]


def _codes(lengths: Sequence[int]) -> list[int]:
    """Canonical codes (RFC 1951 3.2.2), bit-reversed for LSB-first output."""
    max_bits = max(lengths)
    bl_count = [0] * (max_bits + 1)
    for length in lengths:
        if length:
            bl_count[length] += 1
    next_code, code = [0] * (max_bits + 1), 0
    for bits in range(1, max_bits + 1):
        code = (code + bl_count[bits - 1]) << 1
        next_code[bits] = code
    codes = [0] * len(lengths)
    for symbol, length in enumerate(lengths):
        if length:
            value, reversed_value = next_code[length], 0
            next_code[length] += 1
            for _ in range(length):
                reversed_value = (reversed_value << 1) | (value & 1)
                value >>= 1
            codes[symbol] = reversed_value
    return codes


def _run_lengths(lengths: Sequence[int]) -> list[tuple[int, int, int]]:
    """Code lengths as ``(symbol, extra bits, extra value)`` with repeats 16/17/18."""
    out: list[tuple[int, int, int]] = []
    index = 0
    while index < len(lengths):
        value, run = lengths[index], 1
        while index + run < len(lengths) and lengths[index + run] == value:
            run += 1
        index += run
        if value == 0:
            while run >= 11:
                step = min(run, 138)
                out.append((18, 7, step - 11))
                run -= step
            if run >= 3:
                out.append((17, 3, run - 3))
                run = 0
        else:
            out.append((value, 0, 0))
            run -= 1
            while run >= 3:
                step = min(run, 6)
                out.append((16, 2, step - 3))
                run -= step
        out.extend((value, 0, 0) for _ in range(run))
    return out


class _Bits:
    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.count = 0

    def write(self, value: int, bits: int) -> None:
        self.acc |= value << self.count
        self.count += bits
        while self.count >= 8:
            self.out.append(self.acc & 0xFF)
            self.acc >>= 8
            self.count -= 8

    def flush(self) -> bytes:
        if self.count:
            self.out.append(self.acc & 0xFF)
        return bytes(self.out)


def compress(data: bytes) -> bytes:
    """``data`` as one final dynamic-Huffman deflate block (raw, no zlib header)."""
    if not data:
        return b"\x03\x00"  # a final fixed-Huffman block holding only end-of-block
    tokens = _tokens(data)
    lit_counts, dist_counts = [0] * 286, [0] * 30
    for value, dist in tokens:
        if dist:
            lit_counts[257 + _LENGTH_CODE[value]] += 1
            dist_counts[_code_index(_DIST_BASE, dist)] += 1
        else:
            lit_counts[value] += 1
    lit_counts[_END_OF_BLOCK] = 1
    if not any(dist_counts):
        dist_counts[0] = 1  # the header needs one distance code even if none is used
    lit_lengths, dist_lengths = _lengths(lit_counts, 15), _lengths(dist_counts, 15)
    hlit = max(257, max(i for i, n in enumerate(lit_lengths) if n) + 1)
    hdist = max(1, max(i for i, n in enumerate(dist_lengths) if n) + 1)
    runs = _run_lengths(lit_lengths[:hlit] + dist_lengths[:hdist])
    cl_counts = [0] * 19
    for symbol, _, _ in runs:
        cl_counts[symbol] += 1
    cl_lengths = _lengths(cl_counts, 7)
    hclen = max(4, max(i for i, s in enumerate(_CL_ORDER) if cl_lengths[s]) + 1)

    bits = _Bits()
    bits.write(1, 1)  # BFINAL
    bits.write(2, 2)  # BTYPE: dynamic Huffman
    bits.write(hlit - 257, 5)
    bits.write(hdist - 1, 5)
    bits.write(hclen - 4, 4)
    for symbol in _CL_ORDER[:hclen]:
        bits.write(cl_lengths[symbol], 3)
    cl_codes = _codes(cl_lengths)
    for symbol, extra_bits, extra in runs:
        bits.write(cl_codes[symbol], cl_lengths[symbol])
        if extra_bits:
            bits.write(extra, extra_bits)
    lit_codes, dist_codes = _codes(lit_lengths), _codes(dist_lengths)
    for value, dist in tokens:
        if dist:
            code = _LENGTH_CODE[value]
            bits.write(lit_codes[257 + code], lit_lengths[257 + code])
            if _LENGTH_EXTRA[code]:
                bits.write(value - _LENGTH_BASE[code], _LENGTH_EXTRA[code])
            code = _code_index(_DIST_BASE, dist)
            bits.write(dist_codes[code], dist_lengths[code])
            if _DIST_EXTRA[code]:
                bits.write(dist - _DIST_BASE[code], _DIST_EXTRA[code])
        else:
            bits.write(lit_codes[value], lit_lengths[value])
    bits.write(lit_codes[_END_OF_BLOCK], lit_lengths[_END_OF_BLOCK])
    return bits.flush()
