"""Writers and readers of outside formats: REFI-QDA, spreadsheets, reports, networks, backups."""
