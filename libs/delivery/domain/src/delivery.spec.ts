import {
  checkRecipient,
  DeliveryFailure,
  fallsBackToVoice,
  nextStatus,
  rotation,
  smsCandidates,
  statusesBefore,
} from './index';

const defaults = { shortCodePerSecond: 100, longCodePerSecond: 1 };
const codes = (...c: string[]) => c.map((sender) => ({ sender, enabled: true, rateLimitPerSecond: null }));

describe('routing (R21, R22)', () => {
  it.each([
    ['+12125550123', 'US'],
    ['+14165550123', 'CA'],
    ['+18762345678', 'JM'],
    ['+447400123456', 'GB'],
  ])('R22: %s is in %s', (phone, country) => {
    expect(checkRecipient(phone)).toMatchObject({ ok: true, recipient: { country } });
  });

  it.each(['+19005550123', '+448712345678', '+447012345678', '+881612345678'])(
    'R22: %s is refused as a toll-fraud risk',
    (phone) => expect(checkRecipient(phone)).toEqual({ ok: false, failure: DeliveryFailure.TollFraudRisk }),
  );

  it('R22: Caribbean +1 never gets a short code', () => {
    expect(smsCandidates({ country: 'JM', shortCodes: codes('97671'), routes: [], defaults })).toEqual({
      ok: false,
      failure: DeliveryFailure.NoRouteForCountry,
    });
  });

  it('R21: rotation keeps every candidate once', () => {
    expect(rotation([1, 2, 3, 4], () => 0.5)).toEqual([3, 4, 1, 2]);
  });
});

describe('status order (R24)', () => {
  it('moves only forward; terminal states are final', () => {
    expect(nextStatus('queued', 'sent')).toBe('sent');
    expect(nextStatus('delivered', 'sent')).toBeNull();
    expect(nextStatus('undelivered', 'delivered')).toBeNull();
    expect(nextStatus('sent', 'sent')).toBeNull();
    expect(statusesBefore('delivered')).toEqual(['queued', 'sent']);
  });
});

describe('SMS -> voice fallback', () => {
  it('calls after failures a call may get past, never after filtering or blocking verdicts', () => {
    for (const code of [
      DeliveryFailure.NoRouteForCountry,
      '21610',
      '21612',
      '21614',
      '21408',
      '30003',
      '30005',
      '30006',
    ])
      expect(fallsBackToVoice(code)).toBe(true);
    for (const code of ['30004', '30007', '30008', '21211', null]) expect(fallsBackToVoice(code)).toBe(false);
  });
});
