"""The demo project: a bilingual customer-journey study written for Kundstig."""
