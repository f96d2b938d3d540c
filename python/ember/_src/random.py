"""Random numbers: a counter-based generator, the same stream everywhere.

``ember.Generator`` is Philox-4x64 keyed by the seed; draw ``k`` uses the
counters whose top word is ``k`` (disjoint blocks of 2**192), so a seed and a
sequence of draws give the same numbers on every target and in every process.
Draws are generated on the host and enter the graph as input buffers (data,
so they never change a region's key).
"""

from __future__ import annotations

import numpy as np


class Generator:
    """A seeded random stream: ``ember.Generator().manual_seed(0)``."""

    def __init__(self, device="cpu"):
        self._seed = 67280421310721
        self._offset = 0

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed) & (2**64 - 1)
        self._offset = 0
        return self

    def seed(self) -> int:
        s = int.from_bytes(np.random.SeedSequence().entropy.to_bytes(16, "little")[:8],
                           "little")
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> tuple[int, int]:
        return (self._seed, self._offset)

    def set_state(self, state) -> Generator:
        self._seed, self._offset = int(state[0]), int(state[1])
        return self

    def _numpy(self) -> np.random.Generator:
        """A NumPy generator on this stream's next counter block."""
        bg = np.random.Philox(key=self._seed, counter=[0, 0, 0, self._offset])
        self._offset += 1
        return np.random.Generator(bg)


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seeds the default generator (``torch.manual_seed``)."""
    return default_generator.manual_seed(seed)


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_generator(generator: Generator | None) -> Generator:
    return default_generator if generator is None else generator
