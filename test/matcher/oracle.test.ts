// The oracle must itself pass the shared cases before it can judge the index.
import { LinearMatcher } from './oracle.js';
import { runMatcherCases } from './matcher-cases.js';

runMatcherCases('LinearMatcher (oracle)', (config) => new LinearMatcher(config));
