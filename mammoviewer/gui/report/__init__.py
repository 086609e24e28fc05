"""The report form (a dock beside the images) and the PDF painter."""
