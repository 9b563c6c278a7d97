#!/usr/bin/env python3
"""Print the ```sql blocks of a Markdown file as one psql script.

Each block is preceded by an \\echo line naming the file, the block's number
and its line, so the test can say which example failed.  A block directly
preceded by a line `<!-- docs-check: skip: REASON -->` is left out: it needs
something the test cannot provide (pg_cron, remote shards, Grafana's macros,
the reader's own tables), and the reason is printed instead.
"""
import re
import sys

path = sys.argv[1]
lines = open(path, encoding="utf-8").read().split("\n")
i, n = 0, 0
while i < len(lines):
    if lines[i].strip() == "```sql":
        n += 1
        start = i + 1
        j = start
        while j < len(lines) and lines[j].strip() != "```":
            j += 1
        prev = lines[i - 1].strip() if i > 0 else ""
        m = re.match(r"<!-- docs-check: skip: (.*) -->$", prev)
        where = f"{path} block {n} (line {start})"
        q = lambda t: t.replace("'", "''")  # psql: '' inside '...'

        if m:
            print(f"\\echo 'skipped: {q(where)}: {q(m.group(1))}'")
        else:
            print(f"\\echo 'block: {q(where)}'")
            body = "\n".join(lines[start:j]).rstrip()
            print(body)
            if not body.endswith(";"):
                print(";")
        i = j + 1
    else:
        i += 1
