// The public surface of ingest/: other folders import from here only.
export * from './hotlist-csv.js';
export * from './read-json.js';
export * from './subjects.js';
export * from './wire.js';
export * from './hit-message.js';
export * from './metrics.js';
export * from './pipeline-metrics.js';
export * from './streams.js';
export * from './nats-server.js';
export * from './hotlist-distribution.js';
export * from './pipeline.js';
export * from './simulator.js';
export * from './plate-generator.js';
export * from './retroactive.js';
export * from './hotlist-codec.js';
export * from './list-builder.js';
