"""The prompts the vision layer scores frames against: a vocabulary of scenes, objects, people and shot types
(labels for shot descriptions and visual evidence lines), generic captions (the negatives that calibrate a
query's score) and the advert cues (product / pack shot / logo).

Every label and every query is embedded as a prompt ensemble (the mean of ``TEMPLATES`` filled with it,
re-normalised), which is steadier than one wording (Radford et al. 2021, section 3.1.4). ``PROMPT_SET`` names
the templates: it is part of each stored prompt's key, so changing them re-embeds the vocabulary.
"""

from __future__ import annotations

PROMPT_SET = "v1"
TEMPLATES = ("{}", "a photo of {}.", "a still from a film showing {}.", "a cartoon showing {}.")

# Captions that fit almost any frame: a query must beat them to count as seen (core.vision.scoring).
GENERIC = ("a photo.", "a picture.", "an image.", "a still from a film.", "a frame of a video.", "a cartoon.",
           "a screenshot.", "a blurry photo.", "a dark picture.", "a scene.")

PLACES = (
    "a beach", "the sea", "a lake", "a river", "a waterfall", "mountains", "a snowy landscape", "a desert",
    "a forest", "a field of grass", "a garden", "a park", "a tree", "flowers", "a city street", "a city at night",
    "a town square", "a highway", "a road in the countryside", "a bridge", "a railway station", "an airport",
    "a harbour with boats", "a kitchen", "a living room", "a bedroom", "a bathroom", "an office", "a classroom",
    "a hospital", "a restaurant", "a bar", "a shop", "a supermarket", "a church", "a stage with a performer",
    "a stadium", "a sports field", "a swimming pool", "a cave", "a castle", "a farm", "a factory",
    "a laboratory", "the inside of a car", "the sky with clouds", "a sunset", "outer space with stars",
    "underwater",
)
OBJECTS = (
    "a car", "a taxi", "a bus", "a truck", "a motorbike", "a bicycle", "a train", "an aeroplane", "a helicopter",
    "a boat", "a ship", "a dog", "a cat", "a horse", "a cow", "a sheep", "a bird", "a fish", "a rabbit",
    "a squirrel", "a butterfly", "an elephant", "a lion", "a computer", "a phone", "a television", "a book",
    "a newspaper", "a table with food", "a cup of coffee", "a glass of wine", "a bottle", "a candle", "a clock",
    "a gun", "a sword", "a ball", "money", "a map", "a letter", "a door", "a window", "a bed", "a chair",
    "a guitar", "a piano", "a flag", "a painting",
)
PEOPLE = (
    "a man", "a woman", "a child", "a baby", "an old man", "an old woman", "a couple", "a family", "a crowd",
    "people walking", "people dancing", "people eating", "people talking", "a man driving a car",
    "a person running", "a person swimming", "a soldier", "a police officer", "a doctor", "a singer",
    "a news presenter", "a man in a suit", "a close-up of a face", "two people kissing", "people fighting",
    "a person on the phone", "a person reading", "a person cooking",
)
EVENTS = (
    "a car crash", "an explosion", "fire", "smoke", "rain", "snow", "lightning", "fireworks", "a fight",
    "a chase", "a party", "a wedding", "a sports match", "a concert", "a dinner by candlelight", "a storm",
)
SHOTS = (
    "an aerial view", "a view looking up", "a close-up", "a wide landscape shot", "a black screen",
    "a title card with text", "the end credits", "an animated cartoon", "a drawing", "a black and white film",
    "a video game", "a map on screen", "a chart or graph", "a computer screen",
)
AD_CUES = {
    "product": ("a product on a plain background", "a product advertisement", "a close-up of a product"),
    "pack_shot": ("a pack shot of a product with its packaging", "a box of a product", "a bottle of a drink"),
    "logo": ("a company logo", "a brand logo on a plain background", "a logo and a slogan"),
    "text_card": ("text on a plain background", "a price and a phone number on screen", "a website address"),
}

LABELS: tuple[str, ...] = tuple(dict.fromkeys(PLACES + OBJECTS + PEOPLE + EVENTS + SHOTS))
AD_PROMPTS: tuple[str, ...] = tuple(p for group in AD_CUES.values() for p in group)


def ensemble(text: str) -> list[str]:
    """The prompts ``text`` is embedded as (their mean is its vector); text that is already a caption ("a photo
    of ...") is used as it is."""
    t = " ".join(text.split())
    if t.lower().startswith(("a photo", "a picture", "an image", "a still", "a cartoon", "a frame")):
        return [t]
    return [tpl.format(t) for tpl in TEMPLATES]


def key(label: str) -> str:
    """The stored name of a label's ensemble vector (``vision_prompts.prompt``)."""
    return f"{PROMPT_SET}:{label}"
