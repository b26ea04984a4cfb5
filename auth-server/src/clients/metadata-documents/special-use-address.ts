import { BlockList, isIP } from 'node:net';

/**
 * Addresses no fetch on a client's behalf may reach in production: this host, private networks,
 * link-local (cloud metadata at 169.254.169.254), shared, documentation, benchmarking, multicast
 * and reserved ranges (RFC 6890 and its IPv6 counterparts; IPv4-mapped IPv6 is judged as IPv4).
 */
const SPECIAL_USE = new BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  SPECIAL_USE.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['::', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  SPECIAL_USE.addSubnet(prefix, bits, 'ipv6');

/** Whether `address` (an IP literal) is one a server-side fetch must never reach; non-IPs are not. */
export function isSpecialUseAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 4) return SPECIAL_USE.check(bare, 'ipv4');
  // BlockList judges an IPv4-mapped IPv6 address (either spelling) by the IPv4 rules.
  return family === 6 && SPECIAL_USE.check(bare, 'ipv6');
}
