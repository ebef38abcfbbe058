import {
  commonCutoff,
  effectiveRetentionDays,
  ERASED,
  erasedUniqueId,
  retentionCutoff,
  retentionSettingProblem,
  scrubDetails,
} from './retention';

const bounds = { defaultDays: 400, minDays: 90, maxDays: 3650 };

describe('retention (issue 16 item 2, decision 0025)', () => {
  it('a tenant without a setting gets the default; a setting outside later bounds is held to them', () => {
    expect(effectiveRetentionDays(null, bounds)).toBe(400);
    expect(effectiveRetentionDays(120, bounds)).toBe(120);
    expect(effectiveRetentionDays(30, bounds)).toBe(90);
    expect(effectiveRetentionDays(9999, bounds)).toBe(3650);
  });

  it('a new setting must lie within the operator’s bounds; null goes back to the default', () => {
    expect(retentionSettingProblem(null, bounds)).toBeNull();
    expect(retentionSettingProblem(90, bounds)).toBeNull();
    expect(retentionSettingProblem(3650, bounds)).toBeNull();
    expect(retentionSettingProblem(89, bounds)).toMatch(/from 90 to 3650/);
    expect(retentionSettingProblem(3651, bounds)).toMatch(/from 90 to 3650/);
  });

  it('the cutoff never reaches into the previous month (billing closes it from its records)', () => {
    const now = new Date(Date.UTC(2027, 5, 1, 0, 5)); // 2027-06-01 00:05, May not closed yet
    expect(retentionCutoff(now, 100)).toEqual(new Date(now.getTime() - 100 * 86_400_000));
    // Even a (hypothetical) 1-day retention keeps May and June.
    expect(retentionCutoff(now, 1)).toEqual(new Date(Date.UTC(2027, 4, 1)));
  });

  it('whole months can go only before every tenant’s cutoff', () => {
    const now = new Date(Date.UTC(2028, 0, 15));
    expect(commonCutoff(now, [100, 500], bounds)).toEqual(retentionCutoff(now, 500));
    expect(commonCutoff(now, [100], bounds)).toEqual(retentionCutoff(now, 400)); // the default still applies
  });
});

describe('erasure rules', () => {
  it('the erased unique id is stable and distinct per user', () => {
    expect(erasedUniqueId('u1')).toBe(erasedUniqueId('u1'));
    expect(erasedUniqueId('u1')).not.toBe(erasedUniqueId('u2'));
  });

  it('scrubs personal keys of entries about the person, and their known values anywhere', () => {
    const details = {
      before: { userName: 'alice@contoso.example', firstName: 'Alice', phoneNumber: '…0100', mfaEnabled: true },
      note: { by: 'ALICE@contoso.example', other: 'bob' },
      closedAuthentications: 2,
      lastName: null,
    };
    const scrubbed = scrubDetails(details, new Set(['alice@contoso.example']), true);
    expect(scrubbed).toEqual({
      before: { userName: ERASED, firstName: ERASED, phoneNumber: ERASED, mfaEnabled: true },
      note: { by: ERASED, other: 'bob' },
      closedAuthentications: 2,
      lastName: null,
    });
    // Entries about something else lose only the person's known values.
    expect(
      scrubDetails({ name: 'Outlook', user: 'alice@contoso.example' }, new Set(['alice@contoso.example']), false),
    ).toEqual({ name: 'Outlook', user: ERASED });
  });

  it('returns the very same object when there is nothing left to erase (a repeat writes nothing)', () => {
    const once = scrubDetails({ before: { userName: 'a' } }, new Set(['a']), true);
    expect(scrubDetails(once, new Set(['a']), true)).toBe(once);
  });
});
