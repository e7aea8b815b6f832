// The purpose every detection search, export and hit view must carry: Watsonville §471.7(e) — every
// ALPR detection browsing inquiry is documented by a case or incident number and/or a reason.

export interface Purpose {
  /** Department case or incident number. */
  caseNumber?: string;
  /** Why the data is being accessed. */
  reason?: string;
}

/** Why the user/purpose pair is not enough, or null when it is. */
export function purposeProblem(user: string | undefined, purpose: Purpose | undefined): string | null {
  if (user === undefined || user.trim() === '') return 'a user is required: every access is recorded by name (Watsonville §471.7(b))';
  const caseNumber = purpose?.caseNumber?.trim() ?? '';
  const reason = purpose?.reason?.trim() ?? '';
  if (caseNumber === '' && reason === '') {
    return 'a case or incident number and/or a reason is required (Watsonville §471.7(e))';
  }
  return null;
}
