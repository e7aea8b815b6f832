// Every CLI verb, in the order `platewatch --help` lists them.
import type { Verb } from '../verb.js';
import { auditVerb } from './audit.js';
import { benchVerb } from './bench.js';
import { demoVerb } from './demo.js';
import { evidenceVerb } from './evidence.js';
import { hotlistVerb } from './hotlist.js';
import { matchVerb } from './match.js';
import { natsConfigVerb } from './nats-config.js';
import { refusedReadsVerb } from './refused-reads.js';
import { releaseVerb } from './release.js';
import { reportVerb } from './report.js';
import { simulateVerb } from './simulate.js';
import { upVerb } from './up.js';
import { usersVerb } from './users.js';

export const VERBS: readonly Verb[] = [upVerb, hotlistVerb, simulateVerb, matchVerb, demoVerb, evidenceVerb, auditVerb, usersVerb, releaseVerb, reportVerb, refusedReadsVerb, natsConfigVerb, benchVerb];
