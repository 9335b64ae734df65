import numpy as np

from coding.suggest.learner import Learner, LearnerSuggester
from coding.suggest.types import CodebookEntry, SuggestContext

from .support import HashEmbedder, segments_of

TOPICS = {
    1: "bank loan mortgage interest rate lender approval",
    2: "estate agent viewing flat apartment bid",
    3: "moving van boxes movers furniture truck",
}


def sentences(code_id: int, count: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed + code_id)
    words = TOPICS[code_id].split()
    filler = "we then it was really quite the and so on".split()
    return [" ".join(rng.choice(words, 3).tolist() + rng.choice(filler, 4).tolist()) for _ in range(count)]


def accuracy(learner: Learner, embedder: HashEmbedder) -> float:
    right = total = 0
    for code_id in TOPICS:
        for ranked in learner.predict(embedder.embed(sentences(code_id, 20, seed=99))):
            right += ranked[0][0] == code_id
            total += 1
    return right / total


def test_learner_improves_as_decisions_are_added():
    embedder = HashEmbedder()
    definitions = dict(zip(TOPICS, embedder.embed(["bank", "agent", "movers"]), strict=True))
    scores = []
    for n in (1, 4, 30):
        examples = [(vector, code_id, True) for code_id in TOPICS
                    for vector in embedder.embed(sentences(code_id, n, seed=1))]
        scores.append(accuracy(Learner(min_examples=3).fit(examples, definitions), embedder))
    assert scores[0] <= scores[1] <= scores[2]
    assert scores[2] >= 0.9 and scores[2] > scores[0]


def test_rejections_are_negatives():
    embedder = HashEmbedder()
    vectors = embedder.embed(sentences(1, 10, seed=2) + sentences(2, 10, seed=2))
    examples = [(v, 1, True) for v in vectors[:10]] + [(v, 1, False) for v in vectors[10:]]
    learner = Learner(min_examples=3).fit(examples)
    probabilities = dict(learner.predict(vectors[:1])[0]), dict(learner.predict(vectors[10:11])[0])
    assert probabilities[0][1] > 0.5 > probabilities[1][1]


def test_codes_with_few_examples_fall_back_on_their_definition():
    embedder = HashEmbedder()
    definitions = {3: embedder.embed(["moving van boxes movers"])[0]}
    learner = Learner(min_examples=3).fit([], definitions)
    assert learner.predict(embedder.embed(["movers brought boxes"]))[0][0][0] == 3
    assert not learner.learnt(3)


def test_suggester_explains_with_the_number_of_coded_segments():
    embedder = HashEmbedder()
    examples = [(v, 1, True) for v in embedder.embed(sentences(1, 4, seed=3))]
    examples += [(v, 2, True) for v in embedder.embed(sentences(2, 4, seed=3))]
    ctx = SuggestContext(codebook=[CodebookEntry(1, "Get a loan", "sub_goal"),
                                   CodebookEntry(2, "Find a flat", "sub_goal")],
                         embedder=embedder, learner=Learner().fit(examples))
    segments = segments_of("the bank approved our mortgage and interest rate", language="en")
    found = LearnerSuggester().suggest(segments, ctx)
    assert found[0].code_id == 1
    assert found[0].rationale == "similar to 4 segments you coded as 'Get a loan'"
    assert (found[0].start, found[0].end) == (segments[0].start, segments[0].end)
