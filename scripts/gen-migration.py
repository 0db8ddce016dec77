#!/usr/bin/env python3
"""Writes one migration for both backends from a template.

    scripts/gen-migration.py crates/patron/migrations/template/0003_groupbuy.sql

Placeholders: ID_PK (an identity primary key), INT (a 64-bit integer), DATE, TS (a timestamp),
and blocks between `-- sqlite:` / `-- postgres:` / `-- both` lines that only one backend gets.
"""
import os
import re
import sys

SUBST = {
    "sqlite": {"ID_PK": "integer primary key", "INT": "integer", "DATE": "text", "TS": "text"},
    "postgres": {
        "ID_PK": "bigint generated always as identity primary key",
        "INT": "bigint",
        "DATE": "date",
        "TS": "timestamptz",
    },
}

src = sys.argv[1]
text = open(src).read()
root = os.path.dirname(os.path.dirname(src))
for backend, subst in SUBST.items():
    out, keep = [], True
    for line in text.splitlines(keepends=True):
        tag = line.strip()
        if tag in ("-- sqlite:", "-- postgres:", "-- both"):
            keep = tag == "-- both" or tag == f"-- {backend}:"
            continue
        if keep:
            out.append(re.sub(r"\b(ID_PK|INT|DATE|TS)\b", lambda m: subst[m.group(1)], line))
    dest = os.path.join(root, backend, os.path.basename(src))
    with open(dest, "w") as f:
        f.write("".join(out))
    print(dest)
