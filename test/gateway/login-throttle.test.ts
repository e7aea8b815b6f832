// The per-address login throttle on its own: failures in the window, and attempts still being
// checked, both count against the limit.
import { describe, expect, it } from 'vitest';
import { clientAddress, LoginThrottle, trustedProxySet } from '../../gateway/login-throttle.js';

const config = { maxFailures: 3, windowMs: 60_000, maxAddresses: 100 };

describe('LoginThrottle', () => {
  it('refuses an address at the limit, and lets it in again once the oldest failure leaves the window', () => {
    let now = 1_000_000;
    const throttle = new LoginThrottle(config, () => now);
    for (let i = 0; i < 3; i++) throttle.begin('a')(true);
    expect(() => throttle.check('a')).toThrow(expect.objectContaining({ status: 429, retryAfterSeconds: 60 }));
    expect(() => throttle.check('b')).not.toThrow();
    now += 60_001;
    expect(() => throttle.check('a')).not.toThrow();
  });

  it('counts attempts still being checked, so simultaneous ones cannot all pass', () => {
    const throttle = new LoginThrottle(config, () => 1_000_000);
    const settles = [throttle.begin('a'), throttle.begin('a'), throttle.begin('a')];
    expect(() => throttle.begin('a')).toThrow(expect.objectContaining({ status: 429 }));
    // Attempts that succeed free their place; settling twice counts once.
    settles[0]!(false);
    settles[0]!(false);
    const fourth = throttle.begin('a');
    expect(() => throttle.begin('a')).toThrow(expect.objectContaining({ status: 429 }));
    for (const settle of [settles[1]!, settles[2]!, fourth]) settle(false);
    expect(() => throttle.check('a')).not.toThrow();
  });

  it('reads the client from X-Forwarded-For only behind a loopback proxy', () => {
    expect(clientAddress({ remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '10.0.0.1, 203.0.113.9' } })).toBe('203.0.113.9');
    expect(clientAddress({ remoteAddress: '198.51.100.2', headers: { 'x-forwarded-for': '203.0.113.9' } })).toBe('198.51.100.2');
  });

  it('believes a configured load balancer on another host, and skips the proxies in the chain', () => {
    const trusted = trustedProxySet(['10.0.0.5', '10.0.0.6', 'fd00::5']);
    // The balancer is the peer: its last hop is the client.
    expect(clientAddress({ remoteAddress: '10.0.0.5', headers: { 'x-forwarded-for': '203.0.113.9' } }, trusted)).toBe('203.0.113.9');
    expect(clientAddress({ remoteAddress: '::ffff:10.0.0.5', headers: { 'x-forwarded-for': '203.0.113.9' } }, trusted)).toBe('203.0.113.9');
    expect(clientAddress({ remoteAddress: 'fd00::5', headers: { 'x-forwarded-for': '2001:db8::7' } }, trusted)).toBe('2001:db8::7');
    // Balancer, then a local proxy: the hops the proxies appended are skipped, the client's kept.
    expect(clientAddress({ remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.9, 10.0.0.6, 10.0.0.5' } }, trusted)).toBe('203.0.113.9');
    // Not configured: the balancer's own address stands for the client, as before.
    expect(clientAddress({ remoteAddress: '10.0.0.5', headers: { 'x-forwarded-for': '203.0.113.9' } })).toBe('10.0.0.5');
    // Only proxies in the header: the peer.
    expect(clientAddress({ remoteAddress: '10.0.0.5', headers: { 'x-forwarded-for': '10.0.0.6' } }, trusted)).toBe('10.0.0.5');
    expect(() => trustedProxySet(['lb.example.org'])).toThrow(expect.objectContaining({ code: 'GATEWAY_CONFIG_INVALID', message: 'trusted proxy "lb.example.org" is neither an IP address nor a CIDR range (such as 10.0.0.0/24)' }));
  });

  it('believes any balancer within a configured CIDR range, as cloud balancers move within their subnet', () => {
    const trusted = trustedProxySet(['10.0.0.0/24', 'fd00::/8']);
    expect(clientAddress({ remoteAddress: '10.0.0.77', headers: { 'x-forwarded-for': '203.0.113.9' } }, trusted)).toBe('203.0.113.9');
    expect(clientAddress({ remoteAddress: '::ffff:10.0.0.200', headers: { 'x-forwarded-for': '203.0.113.9' } }, trusted)).toBe('203.0.113.9');
    expect(clientAddress({ remoteAddress: 'fd12::9', headers: { 'x-forwarded-for': '2001:db8::7, fd00::1' } }, trusted)).toBe('2001:db8::7');
    // Outside the range: its header is the client's own claim.
    expect(clientAddress({ remoteAddress: '10.0.1.1', headers: { 'x-forwarded-for': '203.0.113.9' } }, trusted)).toBe('10.0.1.1');
  });
});
