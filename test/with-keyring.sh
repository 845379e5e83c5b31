#!/bin/sh
# Runs a command with a Secret Service for keytar. Keychain tests use the real
# keychain, never a mock: when this shell has no D-Bus session (CI, a fresh
# terminal over SSH) start a private one with an unlocked gnome-keyring.
if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  exec "$@"
fi
if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
  echo "with-keyring: needs dbus-run-session and gnome-keyring-daemon (apt-get install dbus gnome-keyring)" >&2
  exit 1
fi
exec dbus-run-session -- sh -c 'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$@"' sh "$@"
