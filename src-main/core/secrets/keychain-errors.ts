/** The words a person needs when the OS keychain does not answer. */
import { VaultError } from '../errors.ts';

/** What to do about an unavailable keychain, on this platform, for the keychain service in force. */
export function keychainFix(platform: NodeJS.Platform, service: string): string {
  switch (platform) {
    case 'darwin':
      return 'Unlock the login keychain (Keychain Access) and allow Tenant Key Vault to use it when asked.';
    case 'win32':
      return 'Make sure the Credential Manager service is running for your user (services.msc → Credential Manager).';
    default:
      return (
        'On Linux a Secret Service such as gnome-keyring or KWallet must be running and unlocked in your ' +
        `desktop session (check with \`secret-tool search --all service ${service}\`; over SSH, start one ` +
        'with `dbus-run-session` and `gnome-keyring-daemon --unlock`). Tenant Key Vault never stores secrets anywhere else.'
      );
  }
}

/** The first sentence of a KEYCHAIN_UNAVAILABLE message: its cause, without the fix. */
export function keychainCause(message: string): string {
  return message.split('. ')[0] ?? message;
}

/** A KEYCHAIN_UNAVAILABLE error that names the cause, the keychain service in force and the platform's fix. */
export function keychainUnavailable(cause: string, platform: NodeJS.Platform, service: string, error?: unknown): VaultError {
  return new VaultError('KEYCHAIN_UNAVAILABLE', `The OS keychain is unavailable: ${cause} (keychain service "${service}"). ${keychainFix(platform, service)}`, {
    cause: error,
  });
}
