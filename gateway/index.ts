// The public surface of gateway/: other folders import from here only.
export * from './config.js';
export * from './errors.js';
export * from './gateway.js';
export * from './hit-feed.js';
export * from './fan-out.js';
export * from './hit-filter.js';
export * from './console-socket.js';
export * from './console-protocol.js';
export * from './session.js';
export * from './http-json.js';
export * from './gateway-metrics.js';
export * from './recent-hits.js';
export * from './server.js';
export * from './auth-routes.js';
export * from './disposition-routes.js';
export * from './api-guard.js';
export * from './hotlist-routes.js';
