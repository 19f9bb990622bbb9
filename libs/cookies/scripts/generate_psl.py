"""Generate tether_cookies' embedded Public Suffix List snapshot.

Usage::

    python libs/cookies/scripts/generate_psl.py PATH/TO/public_suffix_list.dat

The input is the official list (https://publicsuffix.org/list/public_suffix_list.dat,
or the copy shipped inside the `publicsuffixlist` wheel on PyPI). The output,
`src/tether_cookies/public_suffix_list.dat`, keeps the rules of both the ICANN and the
PRIVATE sections, one per line, converted to A-labels (punycode) because the cookie
store compares canonicalised (ASCII) host names, with every comment dropped except a
header naming the licence, the source version and the generation date.
"""

from __future__ import annotations

import argparse
import datetime
import re
from pathlib import Path

OUTPUT = (
    Path(__file__).resolve().parent.parent / "src" / "tether_cookies" / "public_suffix_list.dat"
)

HEADER = """\
// Public Suffix List snapshot for tether-cookies.
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.
// Source: https://publicsuffix.org/list/public_suffix_list.dat
// Source {version}
// Source {commit}
// Generated: {today} by libs/cookies/scripts/generate_psl.py
// Format: one rule per line in A-labels; "*." wildcard and "!" exception rules as in
// the original; the line "// ===PRIVATE===" separates the ICANN and PRIVATE sections.
"""


def _to_ascii(rule: str) -> str:
    prefix = ""
    if rule.startswith("!"):
        prefix, rule = "!", rule[1:]
    labels = []
    for label in rule.split("."):
        if label == "*" or label.isascii():
            labels.append(label.lower())
        else:
            labels.append("xn--" + label.lower().encode("punycode").decode("ascii"))
    return prefix + ".".join(labels)


def convert(text: str) -> tuple[list[str], list[str], str, str]:
    """Return (icann rules, private rules, version line, commit line) of the list."""
    icann: list[str] = []
    private: list[str] = []
    section: list[str] | None = None
    version = commit = "unknown"
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("// VERSION:"):
            version = line[3:]
        elif line.startswith("// COMMIT:"):
            commit = line[3:]
        elif line == "// ===BEGIN ICANN DOMAINS===":
            section = icann
        elif line == "// ===BEGIN PRIVATE DOMAINS===":
            section = private
        elif line.startswith("// ===END"):
            section = None
        elif line and not line.startswith("//") and section is not None:
            # A rule ends at the first whitespace (the PSL format allows trailing text).
            section.append(_to_ascii(re.split(r"\s", line, maxsplit=1)[0]))
    return icann, private, version, commit


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate the embedded PSL snapshot.")
    parser.add_argument("source", type=Path, help="the official public_suffix_list.dat")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    icann, private, version, commit = convert(args.source.read_text(encoding="utf-8"))
    if len(icann) < 1000 or len(private) < 100:
        raise SystemExit(f"{args.source} does not look like the Public Suffix List")
    today = datetime.date.today().isoformat()
    body = "\n".join([*icann, "// ===PRIVATE===", *private])
    header = HEADER.format(version=version, commit=commit, today=today)
    args.output.write_text(header + body + "\n", encoding="utf-8")
    print(f"wrote {len(icann)} ICANN and {len(private)} private rules to {args.output}")


if __name__ == "__main__":
    main()
