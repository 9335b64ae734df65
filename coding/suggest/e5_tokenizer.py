"""The XLM-RoBERTa unigram (SentencePiece) tokenizer of multilingual-e5, in Python.

Text is normalised code point by code point (the model's map), runs of spaces collapse,
a space is prepended and every space becomes the metaspace "▁". No vocabulary piece has
"▁" anywhere but at its start, so every "▁" begins a piece: the best (Viterbi) split of
a text is the best split of each of its "▁words" on its own, and those are cached, since
interviews repeat their words.
"""

from __future__ import annotations

import re
from functools import lru_cache

from coding.suggest.e5_model_file import Vocabulary

METASPACE = "▁"
_SPACES = re.compile(" {2,}")
_WORD = re.compile(METASPACE + "[^" + METASPACE + "]*|[^" + METASPACE + "]+")


class UnigramTokenizer:
    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self._table = dict(vocabulary.normalise)
        self._longest = max(len(piece) for piece in vocabulary.pieces)
        self._scores: list[float] = vocabulary.scores.tolist()
        self._unknown_score = min(self._scores) - 10.0
        self.word_ids = lru_cache(maxsize=200_000)(self._word_ids)

    def normalised(self, text: str) -> str:
        text = _SPACES.sub(" ", text.translate(self._table))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", METASPACE)

    def content_ids(self, text: str) -> list[int]:
        """Token ids of the text, without <s> and </s>."""
        ids: list[int] = []
        for word in _WORD.findall(self.normalised(text)):
            ids.extend(self.word_ids(word))
        return ids

    def _word_ids(self, word: str) -> tuple[int, ...]:
        """The highest-scoring split of one word; a character no piece covers is <unk>."""
        pieces, scores = self.vocabulary.pieces, self._scores
        n = len(word)
        best = [float("-inf")] * (n + 1)
        best[0] = 0.0
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)
        for i in range(n):
            if best[i] == float("-inf"):
                continue
            for end in range(i + 1, min(n, i + self._longest) + 1):
                piece = pieces.get(word[i:end])
                if piece is not None:
                    score = best[i] + scores[piece]
                    if score > best[end]:
                        best[end], back[end] = score, (i, piece)
            unknown = best[i] + self._unknown_score
            if unknown > best[i + 1]:
                best[i + 1], back[i + 1] = unknown, (i, self.vocabulary.unk)
        ids = []
        at = n
        while at > 0:
            at, piece = back[at]
            ids.append(piece)
        return tuple(reversed(ids))
