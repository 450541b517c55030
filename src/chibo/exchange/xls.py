"""Where the cells of a legacy .xls workbook lie, read from the file's records before
python-calamine sees it (reader.py refuses a sheet beyond the row and column limits).

An .xls file is an OLE compound file (a small file system of 512- or 4096-byte sectors) whose
"Workbook" stream holds BIFF records. Each sheet declares its extent (DIMENSIONS) and each cell
record starts with its row and column. Only what is needed is read, every chain of sectors is
bounded by the file's size, and a malformed file raises `Damaged`."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

END_OF_CHAIN = 0xFFFFFFFA  # sector numbers at or above this end a chain or mark free sectors
BOF, BOUNDSHEET, DIMENSIONS = 0x0809, 0x0085, 0x0200
CELLS = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0205, 0x0201, 0x0204, 0x0208}  # formula, labelsst, number, rk, …, row
MULTI_CELLS = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column, …, last column


class Damaged(ValueError):
    pass


@dataclass
class Extent:
    sheet: str
    rows: int  # the last row, counted from 1
    columns: int  # the last column, counted from 1
    declared: bool  # from DIMENSIONS, not from a cell


def workbook_stream(data: bytes) -> bytes:
    """The "Workbook" (BIFF8) or "Book" (BIFF5) stream of an OLE compound file."""
    if len(data) < 512:
        raise Damaged("short header")
    sector_shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if sector_shift not in (9, 12) or mini_shift != 6:
        raise Damaged("sector size")
    size = 1 << sector_shift
    n_fat, dir_start = struct.unpack_from("<I", data, 0x2C)[0], struct.unpack_from("<I", data, 0x30)[0]
    mini_cutoff, minifat_start = struct.unpack_from("<II", data, 0x38)
    difat_start, n_difat = struct.unpack_from("<II", data, 0x44)
    count = max(0, (len(data) - size) // size)  # sectors in the file (the header takes the first)

    def sector(number: int) -> bytes:
        if number >= count:
            raise Damaged("sector outside the file")
        return data[(number + 1) * size:(number + 2) * size]

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    link = difat_start
    for _ in range(min(n_difat, count)):
        if link >= END_OF_CHAIN:
            break
        entries = struct.unpack(f"<{size // 4}I", sector(link))
        difat.extend(entries[:-1])
        link = entries[-1]
    fat: list[int] = []
    for number in difat[:min(n_fat, count)]:
        if number < END_OF_CHAIN:
            fat.extend(struct.unpack(f"<{size // 4}I", sector(number)))

    def chain(start: int, table: list[int], limit: int) -> Iterator[int]:
        link, steps = start, 0
        while link < END_OF_CHAIN:
            if link >= len(table) or steps > limit:
                raise Damaged("broken sector chain")
            yield link
            link, steps = table[link], steps + 1

    def read(start: int) -> bytes:
        return b"".join(sector(n) for n in chain(start, fat, count))

    directory = read(dir_start)
    listing: list[tuple[str, int, int, int]] = []
    for offset in range(0, len(directory) - 127, 128):
        name_length = min(struct.unpack_from("<H", directory, offset + 64)[0], 64)
        name = directory[offset:offset + max(name_length - 2, 0)].decode("utf-16-le", errors="replace")
        kind = directory[offset + 66]
        start, length = struct.unpack_from("<II", directory, offset + 116)
        listing.append((name, kind, start, length))
    if not listing:
        raise Damaged("no directory")
    found = next((e for e in listing if e[1] == 2 and e[0] in ("Workbook", "Book")), None)
    if found is None:
        raise Damaged("no workbook stream")
    _name, _kind, start, length = found
    if length >= mini_cutoff:
        return read(start)[:length]
    root_start = listing[0][2]
    mini_stream = read(root_start)
    minifat_bytes = read(minifat_start) if minifat_start < END_OF_CHAIN else b""
    minifat = list(struct.unpack(f"<{len(minifat_bytes) // 4}I", minifat_bytes))
    mini = 1 << mini_shift
    return b"".join(mini_stream[n * mini:(n + 1) * mini]
                    for n in chain(start, minifat, len(mini_stream) // mini))[:length]


def extents(data: bytes, *, declared_only: bool = False) -> Iterator[Extent]:
    """For each sheet, its declared extent, then (unless declared_only) the place of each cell
    that lies further than any seen before on that sheet."""
    stream = workbook_stream(data)
    names: dict[int, str] = {}
    position, end = 0, len(stream)
    sheet, rows, columns = "", 0, 0
    while position + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, position)
        body, position = position + 4, position + 4 + length
        if kind == BOUNDSHEET and length >= 8:
            offset = struct.unpack_from("<I", stream, body)[0]
            chars, flags = stream[body + 6], stream[body + 7]
            raw = stream[body + 8:body + 8 + chars * (2 if flags & 1 else 1)]
            names[offset] = raw.decode("utf-16-le" if flags & 1 else "latin-1", errors="replace")
        elif kind == BOF:
            sheet, rows, columns = names.get(body - 4, f"#{len(names)}"), 0, 0
        elif kind == DIMENSIONS and sheet:
            if length >= 14:
                last_row, _first_col, last_col = struct.unpack_from("<IHH", stream, body + 4)
            elif length >= 10:
                last_row, _first_col, last_col = struct.unpack_from("<HHH", stream, body + 2)
            else:
                continue
            yield Extent(sheet, last_row, last_col, declared=True)
        elif declared_only:
            continue
        elif (kind in CELLS or kind in MULTI_CELLS) and length >= 4 and sheet:
            row, column = struct.unpack_from("<HH", stream, body)
            if kind in MULTI_CELLS and length >= 6:
                column = struct.unpack_from("<H", stream, position - 2)[0]
            if row + 1 > rows or column + 1 > columns:
                rows, columns = max(rows, row + 1), max(columns, column + 1)
                yield Extent(sheet, rows, columns, declared=False)
