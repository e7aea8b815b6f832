// The processes a capacity run measures, by the name the report gives each; apart from run.ts so
// that rendering a recorded run (`--from-json`) does not load the system.
export const PROCESS_ROLES = {
  system: 'platewatch (pipeline + chDB + gateway)',
  nats: 'nats-server',
  fleet: 'camera fleet (simulated)',
  consoles: 'consoles (simulated)',
} as const;
