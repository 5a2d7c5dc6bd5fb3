"""Photos (issue 16): tus upload throughput over loopback, the phone's shrink-and-save time,
the server's CPU per thumbnail. Run alone with `python -m bench photos`.

A live server (gunicorn, SQLite) and a school seeded through the API. Throughput: 50 photos of
about 400 KB, each a tus creation and one PATCH, one after another from one client, over three
rounds (median). Capture: in headless Chromium at 390x844, a 12-megapixel phone photo
(4,032 x 3,024 JPEG with EXIF) picked with the camera button, from the pick to the note and its
photo saved in IndexedDB (shrink to 2,048 px, JPEG 0.8, SHA-256, one transaction), median of
seven. The upload rounds again with the photo store in an S3 bucket (moto's S3 server on
loopback, the same gunicorn settings). Thumbnail: Pillow's CPU time for one 320 px thumbnail
of a 2,048 x 1,536 JPEG, in this process (median of 20).
"""

from __future__ import annotations

import dataclasses
import io
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import sync_playwright

from bench.pwa import _migrated_database
from server.photos import images
from tests.photos.support import TusClient, photo, record_fields
from tests.pwa.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    ApiUser,
    open_app,
    prepare_instance,
    seed_staff,
    sign_in,
)
from tests.support.live import LiveServer
from tests.support.s3 import CREDENTIALS, REGION, S3Server

PHOTOS = 50
ROUNDS = 3
CAPTURES = 7
THUMBNAILS = 20
LAUNCH: dict[str, Any] = {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS, "headless": True}


def upload_round(
    live: LiveServer, api: ApiUser, observation_id: str, seed: int
) -> tuple[float, int]:
    """Seconds to send PHOTOS photos (records pushed first, not timed), and their bytes."""
    tus = TusClient(live.url, api.token)
    batch = []
    for n in range(PHOTOS):
        data = photo(900, 600, seed=seed * 1000 + n)
        attachment_id = str(uuid.uuid4())
        api.put("attachment", attachment_id, record_fields(observation_id, data))
        batch.append((attachment_id, data))
    started = time.perf_counter()
    for attachment_id, data in batch:
        answer = tus.upload(attachment_id, data)
        assert answer.status == 204, answer
    return time.perf_counter() - started, sum(len(d) for _, d in batch)


def phone_photo(path: Path) -> Path:
    """A 12-megapixel JPEG with the camera's EXIF."""
    gradient = Image.linear_gradient("L").resize((4032, 3024))
    image = Image.merge("RGB", (gradient, gradient.rotate(90, expand=False), gradient))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    image.save(path, "JPEG", quality=90, exif=exif.tobytes())
    return path


def capture_times(live: LiveServer, staff: Any, observation_id: str, picture: Path) -> list[float]:
    """Milliseconds from picking a photo to its note and bytes saved on the phone."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**LAUNCH)
        page = browser.new_context(viewport=PHONE).new_page()
        sign_in(page, live.url, staff["observer"])
        open_app(page, live.url, f"capture/{observation_id}")
        page.wait_for_selector("main[data-ready=capture]")
        times = []
        for n in range(CAPTURES):
            page.set_input_files("input[type=file][capture=environment]", str(picture))
            page.wait_for_function(
                "(n) => performance.getEntriesByName('photo-saved').length > n", arg=n
            )
            times.append(
                page.evaluate(
                    f"""() => {{
                const [a] = performance.getEntriesByName('photo-picked').slice({n}, {n + 1});
                const [b] = performance.getEntriesByName('photo-saved').slice({n}, {n + 1});
                return b.startTime - a.startTime; }}"""
                )
            )
        browser.close()
    return times


def thumbnail_cpu_ms() -> float:
    """Median CPU milliseconds for one thumbnail of a 2,048 x 1,536 JPEG."""
    out = io.BytesIO()
    Image.linear_gradient("L").resize((2048, 1536)).convert("RGB").save(out, "JPEG", quality=80)
    data, times = out.getvalue(), []
    for _ in range(THUMBNAILS):
        started = time.process_time()
        images.thumbnail(data, 40_000_000)
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times)


def run() -> str:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        database = _migrated_database(root)
        live = LiveServer(database, prepare_instance(root / "instance"), workers=2, threads=4)
        live.start()
        try:
            staff = seed_staff(live, database, root / "seed")
            api = ApiUser.login(live, staff["observer"].email)
            roles = [(staff["observer"], "observer"), (staff["observee"], "observee")]
            observation_id = api.observation(roles)
            rounds = [upload_round(live, api, observation_id, seed) for seed in range(ROUNDS)]
            captures = capture_times(live, staff, observation_id, phone_photo(root / "phone.jpg"))
        finally:
            live.stop()
        s3_rounds = s3_upload_rounds(root, database, api, observation_id)
    seconds = statistics.median(s for s, _ in rounds)
    size = statistics.median(b for _, b in rounds)
    throughput = size / seconds / 1_000_000
    s3_seconds = statistics.median(s for s, _ in s3_rounds)
    s3_throughput = statistics.median(b for _, b in s3_rounds) / s3_seconds / 1_000_000
    table = _section(throughput, size / PHOTOS, seconds, captures, thumbnail_cpu_ms())
    row = (
        f"| the same into an S3 bucket (LESSONLOOP_PHOTO_STORE=s3://..., moto's S3 server on "
        f"loopback, boto3 PUT with Content-MD5) | **{s3_throughput:.1f} MB/s** "
        f"({s3_seconds:.2f} s for {PHOTOS}) |\n"
    )
    marker = "| capture to saved"
    return table.replace(marker, row + marker, 1)


def s3_upload_rounds(
    root: Path, database: str, api: ApiUser, observation_id: str
) -> list[tuple[float, int]]:
    """The upload rounds again, with the photo store in a bucket of a local S3 server."""
    s3 = S3Server(root / "moto.log").start()
    env = {
        **CREDENTIALS,
        "LESSONLOOP_PHOTO_STORE": f"s3://{s3.bucket()}/bench",
        "LESSONLOOP_PHOTO_S3_ENDPOINT_URL": s3.url,
        "LESSONLOOP_PHOTO_S3_REGION": REGION,
    }
    live = LiveServer(database, root / "instance", workers=2, threads=4, extra_env=env)
    live.start()
    try:
        again = dataclasses.replace(api, live=live)  # the same device, on this server
        return [upload_round(live, again, observation_id, 10 + seed) for seed in range(ROUNDS)]
    finally:
        live.stop()
        s3.stop()


def _section(
    throughput: float, mean_bytes: float, seconds: float, captures: list[float], thumb_ms: float
) -> str:
    rows = [
        (
            f"tus upload throughput, {PHOTOS} photos of {mean_bytes / 1000:.0f} KB over loopback "
            f"(creation + one PATCH each, sequential, median of {ROUNDS} rounds)",
            f"**{throughput:.1f} MB/s** ({seconds:.2f} s for {PHOTOS})",
        ),
        (
            "capture to saved on the phone, one 12 MP photo (shrink to 2,048 px, JPEG 0.8, "
            "SHA-256, note + photo in one IndexedDB transaction; Chromium headless, "
            f"median of {CAPTURES})",
            f"**{statistics.median(captures):.0f} ms** "
            f"(min {min(captures):.0f}, max {max(captures):.0f})",
        ),
        (
            f"server CPU per thumbnail (320 px from a 2,048 x 1,536 JPEG, Pillow, median of "
            f"{THUMBNAILS}; made once, then served from the store)",
            f"**{thumb_ms:.1f} ms**",
        ),
    ]
    table = "\n".join(f"| {what} | {figure} |" for what, figure in rows)
    return f"""## Photos (issue 16)

| measure | figure |
|---|---|
{table}

Each upload also checks the whole photo on the server (SHA-256, Pillow decode), inside the
throughput figures; into S3, each photo is one more PUT over HTTP to the bucket server. The
capture figure is the extra time a photo adds to saving a note: the phone's work between the
pick and the saved transaction, with the original never stored.
"""
