"""Which characters of article text may never reach a terminal raw, and what shows instead.

A leaf module: the app's widgets and the command line both translate text through
this table, and the command line must not import widgets to get it.
"""

from __future__ import annotations


def escape_table() -> dict[int, str]:
    """Map every character that could restyle or break the screen to a visible one.

    C0 controls become the Unicode "control pictures" (ESC -> ␛), DEL becomes ␡,
    C1 controls and bidirectional overrides become �, line and paragraph separators
    become ␤ and ¶. A tab is white space, shown as one space.
    """
    table = {code: chr(0x2400 + code) for code in range(0x20) if code != 0x0A}
    table[0x09] = " "
    table[0x7F] = "\u2421"
    table.update({code: "\ufffd" for code in range(0x80, 0xA0)})
    bidi = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
    table.update({code: "\ufffd" for code in bidi})
    table[0x2028] = "\u2424"
    table[0x2029] = "\u00b6"
    return table
