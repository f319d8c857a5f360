"""Paragraphs written for the dedup tests: an original wire story, edited copies, and a running update."""
from __future__ import annotations

RESERVOIR = ("The regional water authority said on Monday that reservoir levels had fallen to 41% of capacity, "
             "the lowest point in a decade, after three months with almost no rain across the valley.")
PUMPING = ("Engineers have begun pumping water from the northern lakes into the main supply network, a measure "
           "last used during the drought of 1998, said Helen Marsh, the authority's operations director.")
WATERING = ("Residents were asked to limit garden watering to two evenings a week and to report leaking pipes "
            "to the authority's free hotline until further notice.")
FARMERS = ("Farmers in the lower valley said the restrictions came too late for this year's wheat harvest, "
           "which they expect to be the smallest since records began.")

# A syndicated copy: dateline, curly quotes, an entity, a trimmed clause, a typo, a credit.
RESERVOIR_COPY = ("LONDON (Reuters) - The regional water authority said on Monday that reservoir levels had "
                  "fallen to 41 per cent of capacity, the lowest point in a decade, after three months with "
                  "almost no rain across the valley.")
PUMPING_COPY = ("Engineers have begun pumping water from the northern lakes into the main supply network, a "
                "measure last used during the drought of 1998, said Helen Marsh, the authority\u2019s "
                "operations director. (AP)")
WATERING_COPY = ("Residents were asked to limit garden watering to two evenings a week and to report leaking "
                 "pipes to the authority's free hotline.")
# A running story republished with new figures: same wording, new facts -- not a duplicate.
RESERVOIR_UPDATE = ("The regional water authority said on Monday that reservoir levels had fallen to 37% of "
                    "capacity, the lowest point in a decade, after four months with almost no rain across the "
                    "valley.")
# The same wording with a new name -- not a duplicate either.
PUMPING_NEW_NAME = ("Engineers have begun pumping water from the northern lakes into the main supply network, a "
                    "measure last used during the drought of 1998, said Tomas Okafor, the authority's "
                    "operations director.")
# The copy's own paragraph, unrelated to the original.
OUTLET_OWN = ("Our reporter visited three villages on Tuesday where standpipes have been installed in the "
              "market squares for the first time since the 1970s.")


def article(article_id: str, published_at: int | None, *texts: str) -> dict:
    """An article record as Normalize emits it (schemas/article.avsc)."""
    return {
        "article_id": article_id, "url": None, "source": None, "title": None, "published_at": published_at,
        "language": "en", "dateline": None, "credits": [], "warnings": [],
        "paragraphs": [{"index": i, "text": t} for i, t in enumerate(texts)],
        "removed_paragraphs": [], "kafka": None,
    }
