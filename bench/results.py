"""bench/RESULTS.md: one section per benchmark script, replaced by its
next run."""
import os

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "RESULTS.md")


def write_section(heading, section):
    """Replaces the section starting with `## heading` (up to the next
    `## `) by `section`, or appends it."""
    text = open(RESULTS).read()
    start = text.find("## " + heading)
    if start >= 0:
        end = text.find("\n## ", start + 1)
        rest = text[end + 1:] if end >= 0 else ""
        text = text[:start] + section.rstrip("\n") + "\n" + (
            "\n" + rest if rest else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(RESULTS, "w") as f:
        f.write(text)
