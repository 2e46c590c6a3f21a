"""A YAML loader with limits, so that no scenario file can hang or crash the loader.

PyYAML's safe loader constructs no objects from tags, but it happily reads a "billion laughs"
file: a few hundred bytes of aliases nested a few levels deep that expand to millions of
values (the alias is shared when composed, but every later walk — key lines, merging,
validation — visits each copy). Here the expanded size is counted on the node graph before
anything walks it (linear in the file), and the file size and nesting depth are capped.
"""

from __future__ import annotations

import yaml

MAX_BYTES = 1_000_000  # a scenario is a few kB
MAX_DEPTH = 64  # nesting of mappings and lists
MAX_VALUES = 100_000  # keys and values after expanding every alias


class LimitError(yaml.YAMLError):
    """The document passes a limit; ``problem`` and ``problem_mark`` say what and where."""

    def __init__(self, problem: str, mark=None):
        super().__init__(problem)
        self.problem, self.problem_mark = problem, mark


class LimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with a nesting-depth cap (see :func:`check_expansion` for size)."""

    _depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise LimitError(f"nested more than {MAX_DEPTH} levels deep; expected a plain "
                                 "scenario (sections of keys)", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def check_expansion(node: yaml.Node, limit: int = MAX_VALUES) -> None:
    """Raise :class:`LimitError` if ``node`` expands (every alias copied out) to more than
    ``limit`` keys and values. Counted once per distinct node, so it is linear in the file."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()  # nodes being counted: meeting one again is a cycle

    def size(n: yaml.Node) -> int:
        got = sizes.get(id(n))
        if got is not None:
            return got
        if id(n) in open_:
            raise LimitError("an alias refers to a value that contains it (a cycle); expected "
                             "a plain scenario", n.start_mark)
        open_.add(id(n))
        if isinstance(n, yaml.MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in n.value)
        elif isinstance(n, yaml.SequenceNode):
            total = 1 + sum(size(v) for v in n.value)
        else:
            total = 1
        total = min(total, limit + 1)  # no need to count past the limit
        open_.discard(id(n))
        sizes[id(n)] = total
        return total

    if size(node) > limit:
        raise LimitError(f"aliases expand to more than {limit:,} keys and values (an alias "
                         "bomb?); expected a plain scenario: repeat small pieces only",
                         node.start_mark)


def _construct_int(loader: LimitedLoader, node: yaml.ScalarNode) -> int:
    """YAML ints, but a number too long for Python (over 4300 digits) is a YAML problem."""
    try:
        return yaml.SafeLoader.construct_yaml_int(loader, node)
    except ValueError:
        raise LimitError(f"a number of {len(node.value):,} digits; expected a plain number",
                         node.start_mark) from None


LimitedLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
