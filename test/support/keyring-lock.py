"""Locks or unlocks the "login" collection of the throwaway gnome-keyring that keyring-session.sh
starts (its password is "throwaway"), so that tests can see how the vault meets a locked keyring.
Linux only, inside that session; needs python3-dbus.

    python3 test/support/keyring-lock.py lock|unlock
"""
import sys

import dbus

COLLECTION = dbus.ObjectPath('/org/freedesktop/secrets/collection/login')

bus = dbus.SessionBus()
service = bus.get_object('org.freedesktop.secrets', '/org/freedesktop/secrets')
if sys.argv[1:] == ['lock']:
    dbus.Interface(service, 'org.freedesktop.Secret.Service').Lock([COLLECTION])
elif sys.argv[1:] == ['unlock']:
    # Unlock without a prompt: gnome-keyring's own interface takes the password directly.
    _, session = dbus.Interface(service, 'org.freedesktop.Secret.Service').OpenSession('plain', dbus.String('', variant_level=1))
    secret = dbus.Struct((session, dbus.Array([], signature='y'), dbus.Array(b'throwaway', signature='y'), 'text/plain'))
    dbus.Interface(service, 'org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface').UnlockWithMasterPassword(COLLECTION, secret)
else:
    sys.exit('usage: keyring-lock.py lock|unlock')
locked = bus.get_object('org.freedesktop.secrets', COLLECTION).Get('org.freedesktop.Secret.Collection', 'Locked', dbus_interface='org.freedesktop.DBus.Properties')
print('locked' if locked else 'unlocked')
