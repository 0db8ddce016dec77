#!/usr/bin/env python3
"""Writes one migration for both backends from a template.

    scripts/gen-migration.py crates/patron/migrations/template/0003_groupbuy.sql
    scripts/gen-migration.py --check     # every template; fails if a generated file differs

Placeholders: ID_PK (an identity primary key), INT (a 64-bit integer), DATE, TS (a timestamp),
and blocks between `-- sqlite:` / `-- postgres:` / `-- both` lines that only one backend gets.
Migrations 0001 and 0002 predate the templates and are written by hand for each backend.
"""
import glob
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

MIGRATIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "patron", "migrations")


def generate(text, backend):
    subst = SUBST[backend]
    out, keep = [], True
    for line in text.splitlines(keepends=True):
        tag = line.strip()
        if tag in ("-- sqlite:", "-- postgres:", "-- both"):
            keep = tag == "-- both" or tag == f"-- {backend}:"
            continue
        if keep:
            out.append(re.sub(r"\b(ID_PK|INT|DATE|TS)\b", lambda m: subst[m.group(1)], line))
    return "".join(out)


def targets(src):
    root = os.path.dirname(os.path.dirname(os.path.abspath(src)))
    text = open(src).read()
    for backend in SUBST:
        yield os.path.join(root, backend, os.path.basename(src)), generate(text, backend)


def check():
    stale = []
    templates = sorted(glob.glob(os.path.join(MIGRATIONS, "template", "*.sql")))
    for src in templates:
        for dest, want in targets(src):
            have = open(dest).read() if os.path.exists(dest) else None
            if have != want:
                stale.append(os.path.relpath(dest))
    if stale:
        print("generated migrations differ from their templates (run scripts/gen-migration.py):")
        for s in stale:
            print("  " + s)
        return 1
    print(f"{len(templates)} migration templates match their generated files")
    return 0


def main(args):
    if args == ["--check"]:
        return check()
    if len(args) != 1:
        print(__doc__)
        return 2
    for dest, text in targets(args[0]):
        with open(dest, "w") as f:
            f.write(text)
        print(dest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
