"""One composite PTransform per pipeline stage; each adapts a plain function from text/ or events/."""
