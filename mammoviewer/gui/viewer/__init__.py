"""The viewer: main window, image canvas, worklist, metadata panel, loading and file actions."""
