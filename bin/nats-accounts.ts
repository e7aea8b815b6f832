// The NATS accounts platewatch's users live in, on `up`'s embedded nats-server
// (bin/embedded-nats-auth.ts) and on a department's own (`platewatch nats-config`): one written
// in one place, so the second cannot lose what the first learned.
//
// The system's account holds JetStream and exports the reads subjects as a service; each camera
// user is in an account of its own without JetStream that imports them. Not permissions alone: a
// JetStream publish is acknowledged on whatever reply subject the publisher names, unchecked by
// permissions, so a camera in the system's account could name `$JS.API.STREAM.PURGE.HITS` and
// have the ack purge a stream (verification QA). Across the import the reply is rewritten back
// into the camera's account, which has nothing the ack could touch.
import { randomBytes } from 'node:crypto';
import { READS_SUBJECT_PREFIX, type NatsServerAccount, type NatsServerAuthorization, type NatsSubjectPermission } from '../ingest/index.js';

/** A camera's inbox: where its JetStream acks arrive (nats.js's default prefix, kept by cameras). */
export const CAMERA_INBOX_PREFIX = '_INBOX';
/** 32 random bytes: 43 base64url characters. */
const PASSWORD_BYTES = 32;

export interface NatsUserCredentials {
  user: string;
  password: string;
}

export interface SystemNatsAccount {
  account: string;
  user: NatsUserCredentials;
  /** What the system user may subscribe to; absent: anything in its account. */
  subscribe?: NatsSubjectPermission;
}

export interface CameraNatsAccount {
  account: string;
  user: NatsUserCredentials;
  /** Only this agency's reads (`alpr.reads.<agency>.>`); absent: every agency's. */
  agency?: string;
}

/** The subjects a camera account's user publishes reads to. */
export function cameraReadsSubject(agency: string | undefined): string {
  return agency === undefined ? `${READS_SUBJECT_PREFIX}.>` : `${READS_SUBJECT_PREFIX}.${agency}.>`;
}

/**
 * The accounts of the system and of the cameras. An agency's account imports only its own reads,
 * and its user may publish only there: its cameras cannot write another agency's reads, nor see
 * another agency's acks on an inbox they share (each account has its own `_INBOX`).
 */
export function platewatchNatsAuthorization(system: SystemNatsAccount, cameras: readonly CameraNatsAccount[]): NatsServerAuthorization {
  const systemAccount: NatsServerAccount = {
    name: system.account,
    jetstream: true,
    users: [{ ...system.user, ...(system.subscribe === undefined ? {} : { subscribe: system.subscribe }) }],
    exportServices: [cameraReadsSubject(undefined)],
  };
  const cameraAccounts = cameras.map((camera): NatsServerAccount => {
    const reads = cameraReadsSubject(camera.agency);
    return {
      name: camera.account,
      users: [{ ...camera.user, publish: { allow: [reads] }, subscribe: { allow: [`${CAMERA_INBOX_PREFIX}.>`] } }],
      importServices: [{ account: system.account, subject: reads }],
    };
  });
  return { accounts: [systemAccount, ...cameraAccounts] };
}

/** A new password for a NATS user: base64url, so nats-server's config takes it as is (never `$2…`, a bcrypt hash to it). */
export function newNatsPassword(): string {
  return randomBytes(PASSWORD_BYTES).toString('base64url');
}
