"""Reading with the AI second reader: the review controller, finding overlay and panel, editing, the
detector and case score in the window, and where the review store lives."""
