"""Codebook, codings, memos, audit events, the NLP helper and the analyses."""
