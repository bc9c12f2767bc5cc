/**
 * DevInfo nodes the device sends with Replace in package 1 (PROTOCOL.md a.3, d.4). Microsoft writes both
 * `./DevInfo/DevId` and `./DevInfo/DevID`, so node names are matched case-insensitively and reported under one
 * canonical spelling.
 */
const CANONICAL: Readonly<Record<string, string>> = {
  devid: 'DevId',
  man: 'Man',
  mod: 'Mod',
  dmv: 'DmV',
  lang: 'Lang',
};

const DEVINFO_URI = /^(?:\.\/)?devinfo\/(.+)$/i;

/** The DevInfo node name for a LocURI under `./DevInfo/`, canonically spelled; null for any other URI. */
export function devInfoNodeName(locURI: string): string | null {
  const match = DEVINFO_URI.exec(locURI.trim());
  const name = match?.[1];
  if (!name) return null;
  return CANONICAL[name.toLowerCase()] ?? name;
}
