import {
  checkDestination,
  DEFAULT_DELIVERY_COUNTRIES,
  HIGH_RISK_COUNTRIES,
  numberPrefix,
  PHONE_REFUSAL_REASONS,
} from './destination-policy';

describe('checkDestination (docs/decisions/0019)', () => {
  it.each([
    ['+19002345678', 'premium_rate'],
    ['+448712345678', 'premium_rate'],
    ['+4918012345', 'shared_cost'],
    ['+447012345678', 'personal_number'],
    ['+447640123456', 'pager'],
    ['+881612345678', 'non_geographic'],
    ['+870773123456', 'non_geographic'],
    ['+80012345678', 'non_geographic'],
    ['+80812345678', 'non_geographic'],
    ['+883510012345', 'non_geographic'],
    ['+882345678901', 'non_geographic'],
    ['+97912345678', 'non_geographic'],
    ['+1555', 'invalid'],
    ['4255550100', 'invalid'], // no + and no default region
  ])('%s is refused for every channel as %s', (phone, reason) => {
    for (const channel of ['sms', 'voice', null] as const) {
      expect(checkDestination(phone, channel)).toEqual({ ok: false, reason });
    }
  });

  it('toll free: refused for SMS only', () => {
    expect(checkDestination('+18002345678', 'sms')).toEqual({ ok: false, reason: 'toll_free_sms' });
    expect(checkDestination('+18002345678', 'voice')).toMatchObject({ ok: true, country: 'US', type: 'TOLL_FREE' });
    expect(checkDestination('+18002345678', null)).toMatchObject({ ok: true });
  });

  it.each([
    ['+14255550100', 'US'],
    ['+14165550123', 'CA'],
    ['+447400123456', 'GB'],
    ['+4915112345678', 'DE'],
    ['+252612345678', 'SO'],
  ])('%s passes, in %s, as E.164', (phone, country) => {
    expect(checkDestination(phone, 'sms')).toMatchObject({ ok: true, e164: phone, country });
  });

  it('a number without + is read in the default region when there is one', () => {
    expect(checkDestination('(425) 555-0100', 'sms', 'US')).toMatchObject({ ok: true, e164: '+14255550100' });
    expect(checkDestination('07400 123456', 'sms', 'GB')).toMatchObject({ ok: true, e164: '+447400123456' });
  });

  it('the lists: US and CA by default, no high-risk country in the default, reasons as documented', () => {
    expect(DEFAULT_DELIVERY_COUNTRIES.slice(0, 2)).toEqual(['US', 'CA']);
    expect(DEFAULT_DELIVERY_COUNTRIES.filter((c) => HIGH_RISK_COUNTRIES.includes(c))).toEqual([]);
    expect(PHONE_REFUSAL_REASONS).toHaveLength(9);
    expect(numberPrefix('+4915112345678')).toBe('491511');
  });
});
