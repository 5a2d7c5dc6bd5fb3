"""Photos of pupils' work (issue 16): tus uploads, the photo store, bytes and thumbnails."""
