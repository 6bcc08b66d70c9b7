"""Writes the CI snippets of Markdown files to a directory, for .ci/run to check with their schema.

A fenced ```yaml block whose first line is `# .gitlab-ci.yml`, `# .github/workflows/NAME.yml` or
`# .pre-commit-config.yaml` is that whole file: it is written as gitlab-ci-N.yml,
github-workflow-N.yml or pre-commit-config-N.yml. Fails when a file yields none of the first two.
"""

import pathlib
import re
import sys

KINDS = {
    ".gitlab-ci.yml": "gitlab-ci",
    ".pre-commit-config.yaml": "pre-commit-config",
}

out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
count = {}
for name in sys.argv[2:]:
    text = pathlib.Path(name).read_text()
    for block in re.findall(r"^```yaml\n(.*?)^```", text, flags=re.S | re.M):
        first = block.split("\n", 1)[0].strip()
        if not first.startswith("# "):
            continue
        target = first[2:].split()[0]
        kind = KINDS.get(target)
        if kind is None and target.startswith(".github/workflows/"):
            kind = "github-workflow"
        if kind is None:
            continue
        count[kind] = count.get(kind, 0) + 1
        (out / f"{kind}-{count[kind]}.yml").write_text(block)
        print(f"{name}: {target} -> {kind}-{count[kind]}.yml")
for kind in ("github-workflow", "gitlab-ci"):
    if not count.get(kind):
        sys.exit(f"no {kind} snippet found in {sys.argv[2:]}")
