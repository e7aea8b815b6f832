// Which peers are proxies whose X-Forwarded-For is believed: single addresses or CIDR ranges
// (`10.0.0.0/24`, `fd00::/8`). A cloud load balancer's addresses change within its subnet, so a
// list of single addresses meant a new configuration, and a restart, whenever one moved.
import { BlockList, isIP } from 'node:net';

export interface TrustedProxies {
  /** True for an address (IPv4, IPv6, or IPv4 as IPv6 reports it: `::ffff:10.0.0.5`) that is one of them. */
  has(address: string): boolean;
}

/** Why `entry` is not an address or a CIDR range, or null when it is one. */
export function trustedProxyProblem(entry: string): string | null {
  const text = entry.trim();
  const slash = text.indexOf('/');
  if (slash < 0) return isIP(text) === 0 ? `"${entry}" is neither an IP address nor a CIDR range (such as 10.0.0.0/24)` : null;
  const family = isIP(text.slice(0, slash));
  const prefix = text.slice(slash + 1);
  const bits = family === 4 ? 32 : 128;
  if (family === 0) return `"${entry}" is neither an IP address nor a CIDR range (such as 10.0.0.0/24)`;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits) return `"${entry}" has a prefix length that is not 0–${bits}`;
  return null;
}

/** The proxies `entries` name; throws a TypeError naming the first entry that is neither form. */
export function trustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const entry of entries) {
    const problem = trustedProxyProblem(entry);
    if (problem !== null) throw new TypeError(problem);
    const text = entry.trim();
    const slash = text.indexOf('/');
    const address = slash < 0 ? text : text.slice(0, slash);
    const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    if (slash < 0) list.addAddress(plainAddress(address), type);
    else list.addSubnet(address, Number(text.slice(slash + 1)), type);
  }
  return {
    has(address) {
      const plain = plainAddress(address);
      const family = isIP(plain);
      return family !== 0 && list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

/**
 * An IPv4 address as IPv6 peers report it compares as itself: `::ffff:10.0.0.5`, and the long hex
 * form uWS gives when listening on `::` (`0000:0000:0000:0000:0000:ffff:0a00:0005`).
 */
export function plainAddress(address: string): string {
  const lower = address.trim().toLowerCase();
  if (lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4) return lower.slice(7);
  return isIP(lower) === 6 ? (mappedIpv4(lower) ?? lower) : lower;
}

/** The IPv4 address an IPv4-mapped IPv6 address in hex groups carries, or null. */
function mappedIpv4(ipv6: string): string | null {
  if (ipv6.includes('.')) return null;
  const [head = '', tail] = ipv6.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8 || !groups.slice(0, 5).every((g) => Number.parseInt(g, 16) === 0) || Number.parseInt(groups[5] ?? '', 16) !== 0xffff) return null;
  const high = Number.parseInt(groups[6] ?? '', 16);
  const low = Number.parseInt(groups[7] ?? '', 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}
