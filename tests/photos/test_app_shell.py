"""tus-js-client is served to the app but not precached: it is loaded only to upload photos,
which needs the network anyway, so the offline shell stays as small as before."""

from __future__ import annotations

from server.web import build_bundle


def test_the_tus_client_is_served_but_not_in_the_offline_shell() -> None:
    bundle = build_bundle()
    assert "vendor/tus.js" in bundle.assets
    assert not [url for url in bundle.shell if url.endswith("/vendor/tus.js")]
    assert [url for url in bundle.shell if url.endswith("/js/photos.js")]
