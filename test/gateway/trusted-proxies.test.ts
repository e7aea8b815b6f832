import { describe, expect, it } from 'vitest';
import { trustedProxies, trustedProxyProblem } from '../../gateway/trusted-proxies.js';

describe('trustedProxies', () => {
  it('matches single addresses, IPv4 as IPv6 peers report it, and CIDR ranges of both families', () => {
    const proxies = trustedProxies(['10.0.0.5', '192.168.8.0/22', '2001:db8::/32', 'fd00::5']);
    for (const address of ['10.0.0.5', '::ffff:10.0.0.5', '192.168.8.1', '192.168.11.254', '2001:db8:ffff::1', 'fd00::5', ' 10.0.0.5 '])
      expect({ address, has: proxies.has(address) }).toEqual({ address, has: true });
    for (const address of ['10.0.0.6', '192.168.12.0', '192.168.7.255', '2001:db9::1', 'fd00::6', 'unknown', '', '10.0.0.5:443'])
      expect({ address, has: proxies.has(address) }).toEqual({ address, has: false });
  });

  it('matches IPv4 peers in the long hex form uWS reports when listening on ::, and nothing else of that form', () => {
    const proxies = trustedProxies(['10.0.0.5', '192.168.8.0/22']);
    for (const address of ['0000:0000:0000:0000:0000:ffff:0a00:0005', '0:0:0:0:0:FFFF:A00:5', '::ffff:a00:5', '0000:0000:0000:0000:0000:ffff:c0a8:0b01'])
      expect({ address, has: proxies.has(address) }).toEqual({ address, has: true });
    for (const address of ['0000:0000:0000:0000:0000:ffff:0a00:0006', '0000:0000:0000:0000:0001:ffff:0a00:0005', '::a00:5', '0000:0000:0000:0000:0000:fffe:0a00:0005'])
      expect({ address, has: proxies.has(address) }).toEqual({ address, has: false });
  });

  it('says why an entry is neither form, and refuses a list with one', () => {
    expect(trustedProxyProblem('10.0.0.0/24')).toBeNull();
    expect(trustedProxyProblem('::/0')).toBeNull();
    expect(trustedProxyProblem('lb.example.org')).toBe('"lb.example.org" is neither an IP address nor a CIDR range (such as 10.0.0.0/24)');
    expect(trustedProxyProblem('10.0.0.0/')).toBe('"10.0.0.0/" has a prefix length that is not 0–32');
    expect(trustedProxyProblem('fd00::/129')).toBe('"fd00::/129" has a prefix length that is not 0–128');
    expect(trustedProxyProblem('10.0.0/8')).toMatch(/neither an IP address nor a CIDR range/);
    expect(() => trustedProxies(['10.0.0.1', 'example'])).toThrow('"example" is neither an IP address nor a CIDR range (such as 10.0.0.0/24)');
  });
});
