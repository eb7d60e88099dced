#!/usr/bin/env bash
# Runs "$@" inside a private D-Bus session with a throwaway, unlocked gnome-keyring and a temporary
# HOME, so that keychain tests never touch a real user's keyring. Linux only; invoked by
# with-keyring.ts as: dbus-run-session -- bash keyring-session.sh COMMAND...
set -euo pipefail
scratch=$(mktemp -d -t tkv-keyring-XXXXXX)
export HOME="$scratch/home" XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" \
  XDG_CACHE_HOME="$scratch/cache" XDG_RUNTIME_DIR="$scratch/run"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
# A throwaway password on stdin creates the "login" collection and leaves it unlocked.
eval "$(printf 'throwaway' | gnome-keyring-daemon --daemonize --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
# The daemon exits with the bus when dbus-run-session ends; only the scratch files need removing.
trap 'rm -rf "$scratch"' EXIT
export TKV_KEYRING_SESSION=1
"$@"
