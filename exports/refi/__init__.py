"""REFI-QDA exchange: .qdpx/.qdc writer, lenient reader with a data-loss report, and the importer."""
