"""`App` over Selenium: Debian's WebKitGTK (MiniBrowser, driven by WebKitWebDriver) under Xvfb.

Xvfb and the WebKitWebDriver processes start once per test session; each phone is a new
WebDriver session, so a new MiniBrowser with empty storage.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.common.exceptions import JavascriptException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.client_config import ClientConfig
from selenium.webdriver.remote.file_detector import UselessFileDetector
from selenium.webdriver.remote.remote_connection import RemoteConnection
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.webkitgtk.options import Options

from tests.browsers.app import COUNT, READY, poll
from tests.support.postgres import free_port

DRIVER = Path("/usr/bin/WebKitWebDriver")
INSTALL = "apt-get update && apt-get install -y webkit2gtk-driver xvfb (or run `make test`)"


def minibrowser() -> Path:
    """MiniBrowser, which Debian ships inside libwebkit2gtk (not on PATH)."""
    found = sorted(Path("/usr/lib").glob("*/webkit2gtk-4.*/MiniBrowser"))
    if not found:
        raise FileNotFoundError("MiniBrowser")
    return found[-1]


def missing() -> str | None:
    """What of WebKit's leg is not installed here, with the command that installs it."""
    if not DRIVER.exists() or shutil.which("Xvfb") is None:
        return f"WebKitWebDriver or Xvfb is missing: install them with `{INSTALL}`."
    try:
        minibrowser()
    except FileNotFoundError:
        return f"MiniBrowser (libwebkit2gtk) is missing: install it with `{INSTALL}`."
    return None


class Display:
    """One Xvfb screen for the whole test session (Xvfb picks a free display: -displayfd)."""

    def __init__(self, log: Path) -> None:
        read, write = os.pipe()
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [
                    "Xvfb",
                    "-displayfd",
                    str(write),
                    "-screen",
                    "0",
                    "1280x1024x24",
                    "-nolisten",
                    "tcp",
                ],
                stdout=out,
                stderr=out,
                pass_fds=(write,),
            )
        os.close(write)
        with os.fdopen(read) as answer:
            number = answer.readline().strip()
        assert number, f"Xvfb did not start; see {log}"
        self.number = int(number)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class Drivers:
    """WebKitWebDriver processes (each holds one session at a time), reused across tests."""

    def __init__(self, display: Display, log: Path) -> None:
        self.display, self.log = display, log
        self.idle: list[tuple[subprocess.Popen[bytes], int]] = []
        self.all: list[subprocess.Popen[bytes]] = []

    def take(self) -> tuple[subprocess.Popen[bytes], int]:
        if self.idle:
            return self.idle.pop()
        port = free_port()
        env = {**os.environ, "DISPLAY": f":{self.display.number}"}
        with open(self.log, "ab") as out:
            process = subprocess.Popen(
                [str(DRIVER), f"--port={port}"], env=env, stdout=out, stderr=out
            )
        self.all.append(process)
        poll(lambda: listening(port) or process.poll() is not None, "no WebKitWebDriver", 20)
        assert process.poll() is None, f"WebKitWebDriver exited; see {self.log}"
        return process, port

    def give_back(self, driver: tuple[subprocess.Popen[bytes], int]) -> None:
        self.idle.append(driver)

    def stop(self) -> None:
        for process in self.all:
            process.terminate()
            process.wait(timeout=10)


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def new_session(port: int) -> webdriver.Remote:
    options = Options()
    options.binary_location = str(minibrowser())
    options.add_argument("--automation")  # MiniBrowser accepts WebDriver's control only so

    def connect() -> webdriver.Remote | None:
        try:
            connection = RemoteConnection(client_config=ClientConfig(f"http://127.0.0.1:{port}"))
            return webdriver.Remote(command_executor=connection, options=options)
        except WebDriverException:  # the driver is still starting
            return None

    session: webdriver.Remote = poll(connect, "WebKitWebDriver did not start a session", 30)
    session.file_detector = UselessFileDetector()  # the driver runs here: no upload step
    session.set_window_rect(0, 0, 390, 844)
    return session


class WebKitApp:
    """A phone: one MiniBrowser. Its storage lives as long as the browser (an automation
    session's data is ephemeral), so "close and reopen" closes the app's window and opens a
    new one in the same browser: the service worker, cache and IndexedDB stay, the page's
    memory goes."""

    engine = "webkit"

    def __init__(self, drivers: Drivers) -> None:
        self.drivers = drivers
        self.driver = drivers.take()
        self.session = new_session(self.driver[1])

    def open(self, url: str) -> None:
        self.session.get(url)
        self.wait_for(READY)

    def reload(self) -> None:
        self.session.refresh()
        self.wait_for(READY)

    def reopen(self, url: str) -> None:
        old = self.session.current_window_handle
        self.session.switch_to.new_window("window")
        new = self.session.current_window_handle
        self.session.switch_to.window(old)
        self.session.close()
        self.session.switch_to.window(new)
        self.session.set_window_rect(0, 0, 390, 844)  # a new window has the default size
        self.open(url)

    def _element(self, selector: str) -> WebElement:
        self.wait_for(selector)
        return self.session.find_element(By.CSS_SELECTOR, selector)

    def fill(self, selector: str, text: str) -> None:
        element = self._element(selector)
        element.clear()
        element.send_keys(text)

    def press_enter(self, selector: str) -> None:
        self._element(selector).send_keys(Keys.ENTER)

    def blur(self) -> None:
        self.session.execute_script("document.activeElement && document.activeElement.blur()")

    def click(self, selector: str) -> None:
        element = self._element(selector)
        # WebDriver refuses a click on an element under the sticky tab bar; a finger would
        # scroll first.
        self.session.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()

    def set_file(self, selector: str, path: Path) -> None:
        self._element(selector).send_keys(str(path))

    def text_of(self, selector: str) -> str:
        return str(self._element(selector).text)

    def texts_of(self, selector: str) -> list[str]:
        return [str(e.text) for e in self.session.find_elements(By.CSS_SELECTOR, selector)]

    def wait_for(self, selector: str, timeout: float = 30) -> None:
        def present() -> bool:
            try:
                return bool(self.session.execute_script(COUNT, selector))
            except JavascriptException:  # the page is navigating (a reload, an update)
                return False

        poll(present, f"{selector} did not appear in WebKit", timeout)

    def evaluate(self, body: str, *args: Any) -> Any:
        return self.session.execute_script(body, *args)

    def screenshot(self, path: Path) -> None:
        self.session.save_screenshot(str(path))

    def close(self) -> None:
        self.session.quit()
        self.drivers.give_back(self.driver)
