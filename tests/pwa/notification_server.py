"""A desktop notification server (org.freedesktop.Notifications) for the reminder tests.

Run by Debian's /usr/bin/python3 (python3-dbus, python3-gi) on the tests' own private session
bus. Chromium on Linux shows a web page's notifications through this D-Bus interface, as it
would through a desktop's notification area: each one arrives here as a `Notify` call and is
printed as a JSON line. A line "<id> default" on stdin sends `ActionInvoked(id, "default")`,
which is what a desktop sends when a person clicks a notification: Chromium then fires a real
`notificationclick` in the service worker, with the user activation a click carries.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
CLOSED_BY_CALL = 3  # the reason code for CloseNotification in the specification


def say(event: str, **fields: Any) -> None:
    """One JSON line for the test to read."""
    print(json.dumps({"event": event, **fields}), flush=True)


class Notifications(dbus.service.Object):
    """The parts of the Desktop Notifications Specification (1.2) Chromium uses."""

    def __init__(self, bus: Any) -> None:
        self.bus_name = dbus.service.BusName(NAME, bus)
        super().__init__(bus, PATH)
        self.count = 0

    @dbus.service.method(NAME, in_signature="", out_signature="as")
    def GetCapabilities(self) -> list[str]:
        return ["actions", "body"]

    @dbus.service.method(NAME, in_signature="", out_signature="ssss")
    def GetServerInformation(self) -> tuple[str, str, str, str]:
        return ("lessonloop-tests", "Lesson Loop", "1", "1.2")

    @dbus.service.method(NAME, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(  # dbus-python wants every argument named; the last three go unused
        self,
        app: str,
        replaces: int,
        icon: str,
        summary: str,
        body: str,
        actions: list[str],
        hints: dict[str, Any],
        timeout: int,
    ) -> Any:
        self.count += 1
        number = int(replaces) or self.count
        say("notify", id=number, replaces=int(replaces), summary=str(summary), body=str(body))
        return dbus.UInt32(number)

    @dbus.service.method(NAME, in_signature="u", out_signature="")
    def CloseNotification(self, number: int) -> None:
        say("close", id=int(number))
        self.NotificationClosed(number, CLOSED_BY_CALL)

    @dbus.service.signal(NAME, signature="uu")
    def NotificationClosed(self, number: int, reason: int) -> None:
        """Sent to Chromium when a notification goes away."""

    @dbus.service.signal(NAME, signature="us")
    def ActionInvoked(self, number: int, action: str) -> None:
        """Sent to Chromium when a person clicks (action "default") a notification."""


def main() -> None:
    DBusGMainLoop(set_as_default=True)
    server = Notifications(dbus.SessionBus())
    loop = GLib.MainLoop()

    def command(*_: Any) -> bool:
        line = sys.stdin.readline()
        if not line:
            loop.quit()
            return False
        number, action = line.split()
        server.ActionInvoked(dbus.UInt32(int(number)), action)
        say("clicked", id=int(number))
        return True

    GLib.io_add_watch(sys.stdin, GLib.IO_IN, command)
    say("ready")
    loop.run()


if __name__ == "__main__":
    main()
