"""File › Open from PACS… and Send Results to PACS…: the PACS dialogs over mammoviewer.pacs."""
