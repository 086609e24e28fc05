"""Bottom-layer geometry shared by every package: box formats, overlaps and the MIAS frame.

``geometry.boxes``: boxes as numpy arrays in named formats (canonical ``xyxy``: full-resolution
pixels, origin top-left, x = column), conversions between them, areas, intersections, IoU.
``geometry.mias``: the MIAS film's size, pixel spacing and its bottom-origin centre convention.
Nothing here imports another project package.
"""
