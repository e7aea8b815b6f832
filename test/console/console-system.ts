// Test fixture for the console's browser tests: the whole system (nats-server, chDB, the gateway,
// a user of each role) with the given reads stored, and Debian's Chromium; `stop` ends both.
import type { Browser } from 'playwright-core';
import type { RunningSystem, SystemOptions } from '../../bin/system.js';
import { startApiSystem, type ApiSystem } from '../flows/api-system.js';
import { launchChromium } from './browser.js';

export interface ConsoleSystem {
  api: ApiSystem;
  browser: Browser;
  stop(): Promise<void>;
}

export async function startConsoleSystem(
  reads: Parameters<RunningSystem['writer']['enqueue']>[0], options: Partial<SystemOptions> = {},
): Promise<ConsoleSystem> {
  const api = await startApiSystem(options);
  try {
    await (await api.system.writer.enqueue(reads)).durable;
    const browser = await launchChromium();
    return { api, browser, stop: async () => { await browser.close(); await api.stop(); } };
  } catch (error) {
    await api.stop();
    throw error;
  }
}
