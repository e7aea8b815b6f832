// The gateway's RefusalLog over the access log: a request refused for its role is an access
// attempt on the record like any other (Watsonville §471.7(b)); the audit memorandum lists them.
import type { RefusalLog } from '../gateway/index.js';
import { ACCESS_OUTCOMES, PERMISSIONS, type AccessLog } from '../storage/index.js';

export function accessLogRefusals(accessLog: Pick<AccessLog, 'append'>): RefusalLog {
  return {
    async refused(user, permission, detail, params) {
      await accessLog.append({
        user, action: PERMISSIONS[permission].log, outcome: ACCESS_OUTCOMES.refused, params: { permission, request: params },
        rowsReturned: 0, caseNumber: '', reason: '', detail,
      });
    },
  };
}
