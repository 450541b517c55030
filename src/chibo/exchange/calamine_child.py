"""The child process that lets python-calamine read an uploaded workbook (reader.py starts it).

A workbook can make calamine ask for far more memory than the file's size suggests (a sheet
whose cells span A1:XFD1048576 asks for 512 GiB and aborts the process), so calamine never
runs in the server or the background worker: it runs here, under a memory limit (RLIMIT_AS)
and a CPU-time limit, and its death only ends this process. The workbook comes on stdin; the
rows of every sheet are written to the file named on the command line, as pickled lists of
up to BATCH rows (cell values only: str, float, int, bool and the datetime types, which the
parent alone may unpickle — reader._RowsUnpickler); a last line on stdout describes the
sheets (name, where its rows start in the file, how many, merged cells) or why the file
cannot be read. Django is not imported here.

    python -m chibo.exchange.calamine_child ROWS_FILE MAX_ROWS MEMORY_BYTES CPU_SECONDS
"""

from __future__ import annotations

import io
import json
import pickle
import resource
import sys
from typing import Any

EXIT_DAMAGED = 3  # calamine could not open the file (stdout says why)
EXIT_TOO_MANY_ROWS = 4  # a sheet is longer than the row limit (stdout says which)
BATCH = 1000  # rows per pickle


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _say(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    rows_file, max_rows, memory, cpu = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    for limit, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, cpu), (resource.RLIMIT_CORE, 0)):
        hard = resource.getrlimit(limit)[1]  # a limit can be lowered, never raised above the hard one
        resource.setrlimit(limit, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))
    data = sys.stdin.buffer.read()
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except MemoryError:
        raise
    except Exception as exc:  # calamine raises its own error types for damaged files
        _say({"damaged": str(exc)[:120]})
        return EXIT_DAMAGED
    del data
    sheets = []
    with open(rows_file, "wb") as out:
        for i, name in enumerate(book.sheet_names):
            sheet = book.get_sheet_by_index(i)
            if sheet.total_height > max_rows + 1:
                _say({"sheet": name, "rows": sheet.total_height})
                return EXIT_TOO_MANY_ROWS
            merged = [f"{column_letter(a[1])}{a[0] + 1}:{column_letter(b[1])}{b[0] + 1}"
                      for a, b in (sheet.merged_cell_ranges or [])]
            # iter_rows starts at the sheet's first row; blank columns on the left are left out.
            height = sheet.start[0] + sheet.height if sheet.height and sheet.start else 0
            offset, count, batch = out.tell(), 0, []
            for row in sheet.iter_rows():
                batch.append(row)
                if len(batch) == BATCH:
                    pickle.dump(batch, out, protocol=5)
                    count, batch = count + len(batch), []
            if batch:
                pickle.dump(batch, out, protocol=5)
                count += len(batch)
            sheets.append({"name": name, "offset": offset, "count": count, "height": height, "merged": merged})
            del sheet
    _say({"sheets": sheets})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
