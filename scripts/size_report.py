#!/usr/bin/python3
"""The longest source files and functions of the compiler, runtime and tools
(the project keeps files under about 800 lines and functions under about
150). Functions are found the way LLVM style writes them: a definition
whose body opens at the end of a line that starts in column 0 and closes
with a `}` in column 0.

usage: scripts/size_report.py [--top N] [--limits]
  --limits: list only what is over 800 lines (files) or 150 (functions)
"""
import argparse
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FOLDERS = ("frontend", "ir", "codegen", "runtime", "tools")
SKIP = re.compile(r"^(namespace|struct|class|enum|union|extern|#|//|template)")


def sources():
    for folder in FOLDERS:
        for base, _, names in os.walk(os.path.join(ROOT, folder)):
            for name in names:
                if name.endswith((".cpp", ".h", ".cu")):
                    yield os.path.join(base, name)


CONTROL = re.compile(r"^\s*(if|for|while|switch|else|do|return|case|try|catch)\b")


def functions(path):
    """(name, first line, length) of each function defined at namespace
    level (column 0) or in a class body (column 2); the signature may span
    lines (a return type on a line of its own, wrapped parameters)."""
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    start, indent = None, None
    for n, line in enumerate(lines):
        if start is None:
            if not line.rstrip().endswith("{") or CONTROL.match(line):
                continue
            # The signature's first line: back over wrapped lines to one
            # in column 0 or 2.
            for m in range(n, max(-1, n - 6), -1):
                head = lines[m]
                stripped = head.lstrip(" ")
                pad = len(head) - len(stripped)
                if pad in (0, 2) and stripped and not stripped.startswith(
                        ("//", "}", ")")):
                    break
            else:
                continue
            if m > 0 and lines[m - 1].strip() and not lines[m - 1].strip(
            ).endswith((";", "}", "{", "*/")) and not lines[m - 1].lstrip(
            ).startswith("//") and len(lines[m - 1]) - len(
                    lines[m - 1].lstrip(" ")) == pad:
                m -= 1  # the return type on a line of its own
            text = " ".join(lines[m:n + 1])
            first = lines[m].lstrip(" ")
            if (SKIP.match(first) or "(" not in text
                    or "=" in text.split("(")[0] or CONTROL.match(lines[m])):
                continue
            start, indent = m, " " * pad
        elif line.startswith(indent + "}") and (
                len(line) == len(indent) + 1 or line[len(indent) + 1] in ";"):
            text = " ".join(lines[start:start + 4])
            names = re.findall(r"([A-Za-z_][\w:~<>]*)\s*\(", text)
            yield (names[0] if names else "?"), start + 1, n - start + 1
            start = None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--limits", action="store_true")
    a = ap.parse_args()
    files, funcs = [], []
    for path in sources():
        rel = os.path.relpath(path, ROOT)
        count = sum(1 for _ in open(path, encoding="utf-8", errors="replace"))
        files.append((count, rel))
        for name, line, length in functions(path):
            funcs.append((length, f"{rel}:{line}", name))
    files.sort(reverse=True)
    funcs.sort(reverse=True)
    if a.limits:
        files = [f for f in files if f[0] > 800]
        funcs = [f for f in funcs if f[0] > 150]
    else:
        files, funcs = files[:a.top], funcs[:a.top]
    print("lines  file")
    for count, rel in files:
        print(f"{count:5d}  {rel}")
    print("\nlines  function")
    for length, where, name in funcs:
        print(f"{length:5d}  {name} ({where})")


if __name__ == "__main__":
    main()
