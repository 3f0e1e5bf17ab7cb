"""The 80 COCO object classes the detector knows, how to say them ("a car", "2 people"), and the words of a
query that name them ("a taxi" -> car, "people crossing a square" -> two or more persons).

``CLASSES`` is the COCO 2017 detection order (the detector's output columns). ``NAMES`` words a class for people
(``phrase("person", 3)`` -> "3 people"). ``parse_objects`` reads a description into ``ObjectMention`` rows:
the classes a phrase names (any of them will do), how many are wanted, and how directly the phrase names them
(1.0 for the class's own name or a synonym, less for a word that only implies it, e.g. "dinner" -> a dining
table, a wine glass, a cup...). The lexicon is written by hand: the detector has a fixed label set, and a
text model cannot live below core.semantic, which imports this package.

>>> [(m.classes, m.count) for m in parse_objects("When does the taxi appear?")]
[(('car',), 1)]
>>> [(m.classes, m.count) for m in parse_objects("people crossing a square")]
[(('person',), 2)]
>>> phrase("person", 1), phrase("person", 2), phrase("wine glass", 3)
('a person', '2 people', '3 wine glasses')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CLASSES: tuple[str, ...] = (
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
    "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
    "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
    "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
    "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
    "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
    "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone",
    "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors", "teddy bear",
    "hair drier", "toothbrush",
)

# class -> (singular, plural) as a person says them; classes not listed are "a <name>" / "<name>s".
_SAY: dict[str, tuple[str, str]] = {
    "person": ("a person", "people"), "tv": ("a television", "televisions"),
    "cell phone": ("a mobile phone", "mobile phones"), "sports ball": ("a ball", "balls"),
    "remote": ("a remote control", "remote controls"), "mouse": ("a computer mouse", "computer mice"),
    "hair drier": ("a hair dryer", "hair dryers"), "skis": ("a pair of skis", "pairs of skis"),
    "bus": ("a bus", "buses"), "couch": ("a couch", "couches"), "knife": ("a knife", "knives"),
    "sandwich": ("a sandwich", "sandwiches"), "wine glass": ("a wine glass", "wine glasses"),
    "toothbrush": ("a toothbrush", "toothbrushes"), "broccoli": ("broccoli", "broccoli"),
    "sheep": ("a sheep", "sheep"), "scissors": ("a pair of scissors", "pairs of scissors"),
    "dining table": ("a table", "tables"), "potted plant": ("a potted plant", "potted plants"),
}


def phrase(label: str, count: int = 1) -> str:
    """How a person says ``count`` of class ``label``: "a car", "an apple", "2 people"."""
    if label not in CLASSES:
        raise ValueError(f"{label!r} is not a COCO class (core.vision.coco.CLASSES)")
    one, many = _SAY.get(label, ("", label + "s"))
    if not one:
        one = ("an " if label[0] in "aeiou" else "a ") + label
    return one if count == 1 else f"{count} {many}"


@dataclass(frozen=True)
class ObjectMention:
    """A phrase of a query that names detectable objects: any of ``classes``, at least ``count`` of them in
    one frame; ``weight`` (0..1) is how directly the words name them (1 = the class or a synonym)."""

    text: str
    classes: tuple[str, ...]
    count: int = 1
    weight: float = 1.0

    def __post_init__(self) -> None:
        if not self.classes or any(c not in CLASSES for c in self.classes):
            raise ValueError(f"ObjectMention classes must be COCO classes, got {self.classes}")
        if not (1 <= self.count <= 20 and 0 < self.weight <= 1):
            raise ValueError(f"ObjectMention needs count 1..20 and weight in (0, 1], got {self.count}, {self.weight}")


_GROUP = 2  # "people", "a crowd", "cars": at least this many in one frame
_VEHICLES = ("car", "bus", "truck", "motorcycle")
_MEAL = ("dining table", "wine glass", "cup", "bowl", "fork", "knife", "spoon", "pizza", "cake", "sandwich")
# word (singular, lower case) -> (classes, count, weight). count 0: one, or more when the word is plural.
_LEXICON: dict[str, tuple[tuple[str, ...], int, float]] = {
    **{c: ((c,), 0, 1.0) for c in CLASSES},
    # people
    **{w: (("person",), 0, 1.0) for w in (
        "person", "man", "woman", "child", "kid", "boy", "girl", "baby", "guy", "lady", "gentleman",
        "pedestrian", "passer-by", "someone", "somebody", "human", "driver", "passenger", "player", "dancer",
        "singer", "musician", "soldier", "policeman", "police officer", "actor", "actress", "worker",
        "character", "walker", "cyclist", "rider", "teenager", "adult", "student", "customer")},
    **{w: (("person",), _GROUP, 1.0) for w in ("people", "crowd", "group of people", "couple", "family",
                                                "audience", "band", "team", "passers-by", "pedestrians")},
    # vehicles and transport
    **{w: (("car",), 0, 1.0) for w in ("taxi", "cab", "taxicab", "automobile", "sedan", "limousine", "jeep",
                                        "police car", "sports car", "racing car", "convertible", "hatchback")},
    "vehicle": (_VEHICLES, 0, 0.8), "traffic": (_VEHICLES, _GROUP, 0.7),
    **{w: (("motorcycle",), 0, 1.0) for w in ("motorbike", "scooter", "moped")},
    **{w: (("bicycle",), 0, 1.0) for w in ("bike",)},
    **{w: (("airplane",), 0, 1.0) for w in ("plane", "aeroplane", "aircraft", "jet", "airliner")},
    **{w: (("truck",), 0, 1.0) for w in ("lorry", "van", "pickup", "pick-up truck")},
    **{w: (("bus",), 0, 1.0) for w in ("coach", "minibus", "tram")},
    **{w: (("train",), 0, 1.0) for w in ("locomotive", "railway", "subway", "metro")},
    **{w: (("boat",), 0, 1.0) for w in ("ship", "yacht", "sailboat", "canoe", "kayak", "ferry")},
    # animals
    **{w: (("dog",), 0, 1.0) for w in ("puppy", "hound", "doggy")},
    **{w: (("cat",), 0, 1.0) for w in ("kitten", "kitty")},
    **{w: (("bird",), 0, 1.0) for w in ("pigeon", "seagull", "gull", "duck", "parrot", "chicken", "owl",
                                         "crow", "sparrow", "eagle", "goose")},
    **{w: (("horse",), 0, 1.0) for w in ("pony",)},
    **{w: (("cow",), 0, 1.0) for w in ("cattle", "bull", "calf", "ox")},
    "lamb": (("sheep",), 0, 1.0),
    # table, food, home
    **{w: (_MEAL, 0, 0.7) for w in ("dinner", "meal", "lunch", "breakfast", "feast", "banquet", "supper")},
    **{w: (("dining table",), 0, 1.0) for w in ("table", "dinner table", "kitchen table")},
    **{w: (("wine glass",), 0, 1.0) for w in ("glass of wine", "wineglass", "goblet")},
    **{w: (("cup",), 0, 1.0) for w in ("mug", "cup of coffee", "cup of tea", "teacup")},
    "restaurant": (("dining table", "wine glass", "chair"), 0, 0.6),
    **{w: (("couch",), 0, 1.0) for w in ("sofa", "settee")},
    **{w: (("tv",), 0, 1.0) for w in ("television", "tv set", "telly", "monitor")},
    **{w: (("cell phone",), 0, 1.0) for w in ("phone", "mobile phone", "mobile", "smartphone", "cellphone",
                                               "telephone")},
    **{w: (("laptop",), 0, 1.0) for w in ("computer", "notebook computer")},
    "fridge": (("refrigerator",), 0, 1.0),
    **{w: (("potted plant",), 0, 1.0) for w in ("plant", "houseplant", "pot plant")},
    "flower": (("vase", "potted plant"), 0, 0.6),
    **{w: (("sports ball",), 0, 1.0) for w in ("ball", "football", "soccer ball", "basketball")},
    **{w: (("teddy bear",), 0, 1.0) for w in ("teddy", "stuffed animal", "soft toy", "toy bear")},
    **{w: (("handbag",), 0, 1.0) for w in ("bag", "purse")},
    "rucksack": (("backpack",), 0, 1.0),
    "suitcases": (("suitcase",), _GROUP, 1.0), "luggage": (("suitcase",), 0, 1.0),
    "doughnut": (("donut",), 0, 1.0), "hotdog": (("hot dog",), 0, 1.0),
    "armchair": (("chair",), 0, 1.0), "seat": (("chair",), 0, 0.8),
    "necktie": (("tie",), 0, 1.0), "traffic lights": (("traffic light",), 0, 1.0),
    "hair dryer": (("hair drier",), 0, 1.0),
}
_IRREGULAR = {"men": "man", "women": "woman", "children": "child", "kids": "kid", "mice": "mouse",
              "knives": "knife", "geese": "goose", "buses": "bus", "sandwiches": "sandwich",
              "couches": "couch", "benches": "bench", "toothbrushes": "toothbrush", "wine glasses": "wine glass",
              "ponies": "pony", "puppies": "puppy", "ladies": "lady", "babies": "baby", "cattle": "cattle",
              "people": "people", "pedestrians": "pedestrians", "passers-by": "passers-by", "skis": "skis",
              "scissors": "scissors", "sheep": "sheep", "fish": "fish", "suitcases": "suitcases"}
_NUMBERS = {"one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "several": _GROUP, "many": 3, "lots": 3, "some": _GROUP,
            "few": _GROUP, "couple": 2, "pair": 2, "both": 2, "group": _GROUP}
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z]+)*")
_MAX_WORDS = 3  # longest lexicon entry in words


def _singular(word: str) -> tuple[str, bool]:
    """(singular form, was plural) of a lower-case word or phrase's last word."""
    if word in _IRREGULAR:
        return _IRREGULAR[word], _IRREGULAR[word] != word
    head, _, last = word.rpartition(" ")
    if last in _IRREGULAR:
        return (head + " " + _IRREGULAR[last]).strip(), True
    for suffix, repl in (("ies", "y"), ("ses", "s"), ("s", "")):
        if last.endswith(suffix) and len(last) > len(suffix) + 2 and not last.endswith("ss"):
            return (head + " " + last[: -len(suffix)] + repl).strip(), True
    return word, False


def _lookup(words: list[str]) -> tuple[tuple[str, ...], int, float] | None:
    text = " ".join(words)
    if text in _LEXICON:
        return _LEXICON[text]
    single, plural = _singular(text)
    if single in _LEXICON:
        classes, count, weight = _LEXICON[single]
        return classes, (count or (_GROUP if plural else 0)), weight
    return None


def parse_objects(description: str) -> list[ObjectMention]:
    """The phrases of ``description`` that name COCO objects, in order (longest match first); [] when none."""
    words = _WORD.findall(description.lower().replace("’", "'"))
    out: list[ObjectMention] = []
    i = 0
    while i < len(words):
        for n in range(min(_MAX_WORDS, len(words) - i), 0, -1):
            found = _lookup(words[i:i + n])
            if found is None or (words[i] in _NUMBERS and n == 1):
                continue
            classes, count, weight = found
            before = words[i - 1] if i > 0 else ""
            number = int(before) if before.isdigit() else _NUMBERS.get(before, 0)
            count = max(count, number, 1)
            out.append(ObjectMention(" ".join(words[i:i + n]), classes, min(count, 20), weight))
            i += n
            break
        else:
            i += 1
    return _dedupe(out)


def _dedupe(mentions: list[ObjectMention]) -> list[ObjectMention]:
    """One mention per class set, the counts added: "a man and a woman" -> at least 2 persons."""
    by_classes: dict[tuple[str, ...], ObjectMention] = {}
    for m in mentions:
        old = by_classes.get(m.classes)
        if old is None:
            by_classes[m.classes] = m
        else:
            by_classes[m.classes] = ObjectMention(f"{old.text}, {m.text}", m.classes, min(old.count + m.count, 20),
                                                  max(old.weight, m.weight))
    return list(by_classes.values())
