#!/usr/bin/env python3
"""cmdtrace-tables.py: go tool trace's goroutine, task and region pages
(HTML) as normalized text, the goldens of trace2pprof -report.

    cmdtrace-tables.py URL     (a running go tool trace -http server)

Prints, sorted so that Go's map order does not show:

    group NAME count N exec NS                     /goroutines, a line a group
    goroutine NAME ID total NS STAT=NS ...         /goroutine?name=NAME, a line
                                                   a goroutine (its non-
                                                   overlapping stats)
    ranges NAME ID total NS RANGE=NS ...           its second table
    task TYPE count N                              /usertasks
    regiontype TYPE PC FUNC FILE:LINE count N      /userregions
    bucket MIN_NS COUNT                            each row of the histogram
                                                   above it, lowest first

Durations are Go's time.Duration strings turned back into nanoseconds
(exact: Go prints every digit).  Names are JSON strings, as jq writes them
(tests/report/tables.jq makes the same lines of trace2pprof -report=json).
"""
import html
import json
import re
import sys
import urllib.parse
import urllib.request
from decimal import Decimal

UNITS = {"ns": 1, "us": 1000, "µs": 1000, "μs": 1000, "ms": 10**6, "s": 10**9,
         "m": 60 * 10**9, "h": 3600 * 10**9}


def duration_ns(s):
    """A Go Duration.String() as integer nanoseconds."""
    s = s.strip()
    if s == "0s":
        return 0
    neg = s.startswith("-")
    if neg:
        s = s[1:]
    total = Decimal(0)
    for num, unit in re.findall(r"([0-9.]+)(ns|us|µs|μs|ms|s|m|h)", s):
        total += Decimal(num) * UNITS[unit]
    if total != int(total):
        raise ValueError("not whole nanoseconds: " + s)
    return -int(total) if neg else int(total)


def quote(s):
    """s (bytes that are not UTF-8 kept as surrogates) as trace2pprof's
    JSON has it, re-encoded by jq: each byte that is not UTF-8 made U+FFFD
    (encoding/json's rule), then JSON-quoted."""
    b = s.encode("utf-8", "surrogateescape")
    return json.dumps(b.decode("utf-8", "replace"), ensure_ascii=False)


def go_unquote(q):
    """The bytes of a Go-quoted string (%q), as a str with surrogates."""
    out = bytearray()
    raw = q[1:-1].encode("utf-8", "surrogateescape")
    i = 0
    simple = {ord("a"): 7, ord("b"): 8, ord("f"): 12, ord("n"): 10, ord("r"): 13,
              ord("t"): 9, ord("v"): 11, ord("\\"): 92, ord('"'): 34, ord("'"): 39}
    while i < len(raw):
        c = raw[i]
        if c != 92:
            out.append(c)
            i += 1
            continue
        e = raw[i + 1]
        if e in simple:
            out.append(simple[e])
            i += 2
        elif e == ord("x"):
            out.append(int(raw[i + 2:i + 4], 16))
            i += 4
        elif e in (ord("u"), ord("U")):
            n = 4 if e == ord("u") else 8
            out += chr(int(raw[i + 2:i + 2 + n], 16)).encode("utf-8")
            i += 2 + n
        else:  # octal
            out.append(int(raw[i + 1:i + 4], 8))
            i += 4
    return out.decode("utf-8", "surrogateescape")


def get(url):
    with urllib.request.urlopen(url) as r:
        # Names may hold any bytes: keep those that are not UTF-8.
        return r.read().decode("utf-8", "surrogateescape")


def cells(row):
    return [html.unescape(re.sub(r"<[^>]*>", "", c)).strip()
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]


def histogram(td):
    """The rows of TimeHistogram.ToHTML: (min ns, count), the final tick
    label (one cell) left out."""
    out = []
    for row in re.findall(r"<tr>(.*?)</tr>", td, re.S):
        c = cells(row)
        if len(c) == 3:
            out.append((duration_ns(c[0]), int(c[2])))
    return out


def main():
    base = sys.argv[1]
    lines = []

    page = get(base + "/goroutines")
    table = page[page.index("<table>"):]
    names = []
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        href = re.search(r'href="/goroutine\?name=([^"]*)"', row).group(1)
        name = urllib.parse.unquote(html.unescape(href))
        c = cells(row)
        names.append(name)
        lines.append("group %s count %s exec %d" % (quote(name), c[1], duration_ns(c[2])))

    for name in names:
        page = get(base + "/goroutine?name=" + urllib.parse.quote(name, safe=""))
        tables = re.findall(r'<table class="details">(.*?)</table>', page, re.S)
        for kind, t in zip(("goroutine", "ranges"), tables):
            rows = re.findall(r"<tr>(.*?)</tr>", t, re.S)
            head = [h.strip() for h in re.findall(r"<th[^>]*>([^<]*)</th>", rows[0])]
            stats = [h for h in head[2:] if h]
            for row in rows[1:]:
                c = [x for x in cells(row)]
                if not c:
                    continue
                gid, total = c[0], duration_ns(c[1])
                vals = c[2:]
                if kind == "goroutine":
                    vals = vals[1:]  # the bar chart's cell
                pairs = " ".join("%s=%d" % (quote(s), duration_ns(v)) for s, v in zip(stats, vals))
                lines.append("%s %s %s total %d %s" % (kind, quote(name), gid, total, pairs))

    # The rows of the task and region tables: "  <tr>", a line per cell
    # (the histogram's on several), "  </tr>".
    def rows(page):
        for block in re.findall(r"\n  <tr>\n(.*?)\n  </tr>\n", page, re.S):
            yield [c.rstrip() for c in block.split("    <td>")[1:]]

    for c in rows(get(base + "/usertasks")):
        typ = html.unescape(re.sub(r"</td>$", "", c[0]))
        count = re.search(r">(\d+)</a>", c[1]).group(1)
        lines.append("task %s count %s" % (quote(typ), count))
        for b in histogram(c[2]):
            lines.append("task %s bucket %d %d" % (quote(typ), b[0], b[1]))

    for c in rows(get(base + "/userregions")):
        pre = re.search(r"<pre>(.*)</pre>", c[0], re.S).group(1)
        typ, frame, loc = [html.unescape(x) for x in pre.split("<br>")]
        count = re.search(r">(\d+)</a>", c[1]).group(1)
        # The page quotes the type with %q.
        key = "%s %s %s" % (quote(go_unquote(typ)), frame.replace(" @ ", " "), loc)
        lines.append("region %s count %s" % (key, count))
        for b in histogram(c[2]):
            lines.append("region %s bucket %d %d" % (key, b[0], b[1]))

    for line in sorted(lines):
        print(line)


main()
