import { describe, expect, it } from 'vitest';
import { DEFAULT_GATEWAY_CONFIG, GatewayError, resolveGatewayConfig } from '../../gateway/index.js';

describe('gateway config', () => {
  it('fills in the documented defaults', () => {
    const config = resolveGatewayConfig();
    expect(config).toEqual(DEFAULT_GATEWAY_CONFIG);
    expect(config.port).toBe(8080);
    expect(config.replayWindowMs).toBe(12 * 3600 * 1000);
    expect(config.escalateAfterMs).toBe(5 * 60 * 1000);
    expect(config.sessionCheckMs).toBe(30_000);
  });

  it('takes overrides, including port 0 for a free port', () => {
    expect(resolveGatewayConfig({ port: 0, maxBufferedBytes: 4096 })).toMatchObject({ port: 0, maxBufferedBytes: 4096 });
  });

  it('refuses a session re-check interval that is not positive, or longer than 10 minutes', () => {
    expect(resolveGatewayConfig({ sessionCheckMs: 250 }).sessionCheckMs).toBe(250);
    expect(() => resolveGatewayConfig({ sessionCheckMs: 0 })).toThrow(/gateway\.sessionCheckMs must be a positive number/);
    expect(() => resolveGatewayConfig({ sessionCheckMs: 3_600_000 })).toThrow(/gateway\.sessionCheckMs must be at most 600000/);
  });

  it('refuses an impossible setting and names it', () => {
    expect(() => resolveGatewayConfig({ replayWindowMs: 0 })).toThrow(/gateway\.replayWindowMs must be a positive number/);
    expect(() => resolveGatewayConfig({ port: 70_000 })).toThrow(GatewayError);
    try {
      resolveGatewayConfig({ maxBodyBytes: Number.NaN });
    } catch (error) {
      expect((error as GatewayError).code).toBe('GATEWAY_CONFIG_INVALID');
      expect((error as Error).message).toContain('gateway.maxBodyBytes');
    }
  });
});
