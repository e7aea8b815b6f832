// The administrator's user routes judge training dates by the day in the department's time zone
// (storage's `timeZone`), not the UTC day: after 4 p.m. in California an expiry of today was refused
// as past, and one of tomorrow already showed as lapsed (found by QA). Real gateway, nats-server
// and chDB; the zone is one whose day now differs from the UTC day, so each case tells them apart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userRoutes } from '../../gateway/index.js';
import { CredentialStore, dayIn } from '../../storage/index.js';
import { errorOf, startApiFixture, type ApiFixture } from './api-fixture.js';

/** A zone whose day now is not the UTC day (Kiritimati, UTC+14, from 10:00 UTC; UTC-12 before noon), and days there. */
function zoneOffTheUtcDay(): { zone: string; yesterday: string; today: string; tomorrow: string } {
  for (const zone of ['Pacific/Kiritimati', 'Etc/GMT+12']) {
    const today = dayIn(zone);
    if (today === dayIn('UTC')) continue;
    const shifted = (days: number): string => {
      const d = new Date(`${today}T12:00:00Z`);
      d.setUTCDate(d.getUTCDate() + days);
      return d.toISOString().slice(0, 10);
    };
    return { zone, yesterday: shifted(-1), today, tomorrow: shifted(1) };
  }
  throw new Error('no zone off the UTC day');
}

const { zone, yesterday, today, tomorrow } = zoneOffTheUtcDay();
let api: ApiFixture;

beforeAll(async () => {
  api = await startApiFixture({
    users: [['admin1', 'administrator']],
    routes: ({ guard, accessLog, temp }) => userRoutes({
      guard, accessLog, credentials: new CredentialStore(temp.storage, accessLog),
      storage: { client: temp.storage.client, db: temp.storage.db, config: { ...temp.storage.config, timeZone: zone } },
    }),
  });
});

afterAll(async () => {
  await api?.stop();
});

function addUser(id: string, trainingExpiresAt: string): Promise<Response> {
  return api.call('POST', '/api/users', 'admin1', {
    id, name: 'D. Ispatcher', title: 'Dispatcher', roles: ['dispatcher'], trainedAt: '2025-01-15', trainingExpiresAt, password: 'a long enough passphrase',
  });
}

describe(`training dates over the API, in ${zone}`, () => {
  it('refuses an expiry of yesterday there; takes today there (access ends now) and tomorrow there (expiring, still active)', async () => {
    const past = await addUser('disp-past', yesterday);
    expect(past.status).toBe(400);
    expect((await errorOf(past)).message).toMatch(`"trainingExpiresAt" ${yesterday} is a day already past`);

    const lapsesToday = await addUser('disp-today', today);
    expect(lapsesToday.status).toBe(201);
    expect(((await lapsesToday.json()) as { user: unknown }).user).toMatchObject({ trainingExpiresAt: today, trainingStatus: 'expired', status: 'training_expired' });

    const lapsesTomorrow = await addUser('disp-tomorrow', tomorrow);
    expect(lapsesTomorrow.status).toBe(201);
    expect(((await lapsesTomorrow.json()) as { user: unknown }).user).toMatchObject({ trainingExpiresAt: tomorrow, trainingStatus: 'expiring', status: 'active' });
  });
});
