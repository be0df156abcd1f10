"""The notice tree, its plain-text reader and the layout numbers."""
