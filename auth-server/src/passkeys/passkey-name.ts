/** Longest name a passkey may have (they are shown in a table and in confirmation titles). */
export const PASSKEY_NAME_MAX = 60;

/** The platforms a browser's User-Agent names, most specific first. */
const PLATFORMS: [RegExp, string][] = [
  [/iPhone/, 'iPhone'],
  [/iPad/, 'iPad'],
  [/Android/, 'Android'],
  [/CrOS/, 'ChromeOS'],
  [/Macintosh|Mac OS X/, 'Mac'],
  [/Windows/, 'Windows'],
  [/Linux/, 'Linux'],
];

/**
 * A passkey's first name, from what the device said of itself (we ask no attestation, so the maker
 * is unknown): a key reached only over USB, NFC or Bluetooth is a security key; otherwise the
 * platform the browser runs on, when it says; else "Passkey". The person can rename it.
 */
export function defaultPasskeyName(device: { transports: readonly string[]; userAgent?: string }): string {
  const external = ['usb', 'nfc', 'ble'];
  if (device.transports.length > 0 && device.transports.every((t) => external.includes(t))) {
    return 'Security key';
  }
  const platform = PLATFORMS.find(([pattern]) => pattern.test(device.userAgent ?? ''))?.[1];
  return platform ? `Passkey on ${platform}` : 'Passkey';
}

/** A name as typed, trimmed; undefined when empty, too long or not printable text. */
export function readPasskeyName(typed: string | undefined): string | undefined {
  const name = (typed ?? '').trim().replace(/\s+/g, ' ');
  if (!name || name.length > PASSKEY_NAME_MAX || /\p{Cc}/u.test(name)) return undefined;
  return name;
}
